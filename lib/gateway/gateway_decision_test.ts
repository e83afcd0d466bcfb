import { assertEquals } from "../../tests/helpers/assert.ts";
import { routeRecord } from "../nginx/testdata/gateway_fixture.ts";
import { decide } from "./gateway_decision.ts";
import { checkRequest } from "./testdata/check_request.ts";
import { loginReturnTarget } from "./login_return.ts";
import { RouteTable } from "./route_table.ts";

const settings = {
  dashboardPort: 8000,
  backendPort: 8001,
  dashboardNames: ["127.0.0.1", "gpu.lan"],
};

function table(): RouteTable {
  const t = new RouteTable();
  t.setRouting("keep.sh", { proxy: "both", pathMode: "keep" });
  t.setRouting("portonly.sh", { proxy: "port", pathMode: "strip" });
  t.upsert(
    routeRecord({
      id: 1,
      slug: "comfy",
      port: 19001,
      appPort: 40001,
      hostname: "comfy.lan",
      useCustomHostname: true,
    }),
  );
  t.upsert(routeRecord({ id: 2, slug: "kept", port: 19002, appPort: 40002, blueprint: "keep.sh" }));
  t.upsert(routeRecord({ id: 3, slug: "idle", port: 19003, appPort: null, status: "stopped" }));
  t.upsert(
    routeRecord({ id: 4, slug: "porty", port: 19004, appPort: 40004, blueprint: "portonly.sh" }),
  );
  // A duplicate host name never takes the first one's route.
  t.upsert(
    routeRecord({
      id: 5,
      slug: "dup",
      port: 19005,
      appPort: 40005,
      hostname: "comfy.lan",
      useCustomHostname: true,
    }),
  );
  return t;
}

Deno.test("the check routes each door to the app's internal port, stripping or keeping the path", () => {
  const t = table();
  assertEquals(decide(checkRequest({ uri: "/a?b=1" }), t, settings), {
    kind: "app",
    id: 1,
    port: 40001,
    uri: "/a?b=1",
    prefix: null,
  });
  assertEquals(decide(checkRequest({ route: "path", uri: "/instance/comfy/x?y" }), t, settings), {
    kind: "app",
    id: 1,
    port: 40001,
    uri: "/x?y",
    prefix: "/instance/comfy",
  });
  assertEquals(decide(checkRequest({ route: "path", uri: "/instance/kept/x" }), t, settings), {
    kind: "app",
    id: 2,
    port: 40002,
    uri: "/instance/kept/x",
    prefix: "/instance/kept",
  });
  assertEquals(
    decide(checkRequest({ route: "host", serverPort: 8000, host: "comfy.lan:8000" }), t, settings),
    { kind: "app", id: 1, port: 40001, uri: "/", prefix: null },
  );
  assertEquals(decide(checkRequest({ host: "comfy.lan:19001" }), t, settings).kind, "app");
});

Deno.test("unknown hosts are refused, strangers sent to log in, idle or unknown instances get a page", () => {
  const t = table();
  assertEquals(decide(checkRequest({ host: "evil.example:19001" }), t, settings), {
    kind: "refuse",
  });
  assertEquals(decide(checkRequest({ host: "bad host" }), t, settings), { kind: "refuse" });
  assertEquals(decide(checkRequest({ route: "host", host: "nobody.lan" }), t, settings), {
    kind: "refuse",
  });
  assertEquals(decide(checkRequest({ authenticated: false, uri: "/p" }), t, settings), {
    kind: "login",
    url: `http://127.0.0.1:8000/login?next=${
      encodeURIComponent(`/_aikore/return?to=${encodeURIComponent("http://127.0.0.1:19001/p")}`)
    }`,
  });
  const login = decide(
    checkRequest({ authenticated: false, route: "path", uri: "/instance/comfy/" }),
    t,
    settings,
  );
  assertEquals(login, { kind: "login", url: "/login?next=%2Finstance%2Fcomfy%2F" });
  const idle = decide(checkRequest({ serverPort: 19003, host: "127.0.0.1:19003" }), t, settings);
  assertEquals([idle.kind, idle.kind === "page" ? idle.entry?.slug : null], ["page", "idle"]);
  const nothing = decide(checkRequest({ serverPort: 19999, host: "127.0.0.1:19999" }), t, settings);
  assertEquals(nothing, { kind: "page", entry: null });
  const portOnly = decide(checkRequest({ route: "path", uri: "/instance/porty/" }), t, settings);
  assertEquals(portOnly, { kind: "page", entry: null }, "a port-only app has no path route");
});

Deno.test("the login return URL must be an instance origin of this AiKore", () => {
  const t = table();
  const rules = {
    dashboardPort: 8000,
    dashboardNames: ["127.0.0.1", "gpu.lan"],
    poolRange: { start: 19000, end: 19100 },
  };
  for (
    const ok of ["http://127.0.0.1:19001/a?b", "https://gpu.lan:19050/", "http://comfy.lan:8000/x"]
  ) {
    assertEquals(loginReturnTarget(ok, rules, t), new URL(ok).href, ok);
  }
  const refused = [
    null,
    "/relative",
    "http://evil.example:19001/",
    "http://127.0.0.1:8000/api/instances",
    "http://127.0.0.1/",
    "http://127.0.0.1:19101/",
    "javascript:alert(1)",
    "http://user:pw@127.0.0.1:19001/",
    "http://nobody.lan:8000/",
  ];
  for (const bad of refused) assertEquals(loginReturnTarget(bad, rules, t), null, String(bad));
});
