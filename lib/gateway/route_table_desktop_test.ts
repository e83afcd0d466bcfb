import { assertEquals } from "../../tests/helpers/assert.ts";
import { routeRecord } from "../nginx/testdata/gateway_fixture.ts";
import { decide } from "./gateway_decision.ts";
import { checkRequest } from "./testdata/check_request.ts";
import { RouteTable } from "./route_table.ts";

const settings = { dashboardPort: 8000, backendPort: 8001, dashboardNames: ["127.0.0.1"] };

Deno.test("a desktop instance routes both doors to its viewer (path kept), whatever its blueprint's routing", () => {
  const t = new RouteTable();
  const desktop = routeRecord({
    id: 1,
    slug: "lms",
    port: 19001,
    appPort: 40001,
    blueprint: "LMStudio.sh",
    persistentMode: true,
    vncPort: 45001,
  });
  t.upsert(desktop);
  t.setRouting("LMStudio.sh", { proxy: "port", pathMode: "strip" }); // read after the row
  assertEquals(t.get(1)?.unpublishable, null);
  assertEquals(decide(checkRequest({ uri: "/vnc.html" }), t, settings), {
    kind: "app",
    id: 1,
    port: 45001,
    uri: "/vnc.html",
    prefix: null,
  });
  assertEquals(
    decide(
      checkRequest({
        route: "path",
        serverPort: 8000,
        host: "127.0.0.1:8000",
        uri: "/instance/lms/websockify",
      }),
      t,
      settings,
    ),
    {
      kind: "app",
      id: 1,
      port: 45001,
      uri: "/instance/lms/websockify",
      prefix: "/instance/lms",
    },
  );
  // Desktop mode turned off: the blueprint's routing and the app's port again.
  t.upsert({ ...desktop, persistentMode: false });
  assertEquals(t.get(1)?.routing, { proxy: "port", pathMode: "strip" });
  assertEquals(t.get(1)?.appPort, 40001);
  // Unauthenticated: the login, never the viewer.
  assertEquals(decide(checkRequest({ authenticated: false }), t, settings).kind, "login");
});
