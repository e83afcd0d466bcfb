import { Hono } from "hono";
import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { errorResponder } from "../error_handler.ts";
import { silentLogger } from "../../log/mod.ts";
import { hostAllowed, hostAllowList } from "./host_allow_list.ts";

const ALLOWED = ["aikore.lan", "192.168.1.5:9000"];

/** DNS-rebinding and look-alike Host values (T07). */
const HOSTILE_HOSTS = [
  "attacker.example",
  "127.0.0.1.nip.io",
  "localhost.attacker.example",
  "[::ffff:7f00:1]",
  "[::ffff:127.0.0.1]",
  "0.0.0.0",
  "127.0.0.2",
  "aikore.lan.attacker.example",
  "attacker.example:9000",
  "192.168.1.5:9001",
  "192.168.1.5",
  "localhost.",
  "evil.example@localhost",
  "localhost/x",
  "localhost:9000:1",
  "localhost:99999",
  "",
  " ",
];

Deno.test("loopback names and configured hosts pass the Host allow-list", () => {
  for (
    const host of [
      "localhost",
      "localhost:9000",
      "LOCALHOST:9000",
      "127.0.0.1",
      "127.0.0.1:19001",
      "[::1]",
      "[::1]:9000",
      "aikore.lan",
      "aikore.lan:443",
      "192.168.1.5:9000",
    ]
  ) {
    assert(hostAllowed(host, ALLOWED), `${host} refused`);
  }
});

Deno.test("rebinding and look-alike Host values are refused", () => {
  for (const host of HOSTILE_HOSTS) assert(!hostAllowed(host, ALLOWED), `${host} allowed`);
});

Deno.test("the middleware answers 403 before routing, for HTTP, WebSocket and /instance paths", async () => {
  const app = new Hono();
  let reached = 0;
  app.onError(errorResponder(silentLogger));
  app.use(hostAllowList({ allowedHosts: ALLOWED, listenHostname: "10.1.2.3" }));
  app.all("*", (c) => {
    reached++;
    return c.text("in");
  });
  const upgrade = { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Version": "13" };
  let refused = 0;
  for (const host of HOSTILE_HOSTS.filter((h) => h.trim() !== "")) {
    for (const path of ["/", "/api/instances", "/instance/comfy/", "/login"]) {
      for (const extra of [{}, upgrade]) {
        const res = await app.request(path, { headers: { Host: host, ...extra } });
        assertEquals(res.status, 403, `${host} ${path}`);
        const body = await res.json();
        assertEquals(body.error.code, "host_not_allowed");
        refused++;
      }
    }
  }
  assertEquals(reached, 0);
  assert(refused >= 100);
  for (const host of ["localhost:9000", "aikore.lan", "10.1.2.3:9000"]) {
    assertEquals((await app.request("/", { headers: { Host: host } })).status, 200, host);
  }
  assertEquals(reached, 3);
});

Deno.test("a wildcard listen address adds nothing to the allow-list", async () => {
  const app = new Hono();
  app.onError(errorResponder(silentLogger));
  app.use(hostAllowList({ allowedHosts: [], listenHostname: "0.0.0.0" }));
  app.get("/", (c) => c.text("in"));
  assertEquals((await app.request("/", { headers: { Host: "0.0.0.0:9000" } })).status, 403);
  assertEquals((await app.request("/", { headers: { Host: "192.168.1.5:9000" } })).status, 403);
  assertEquals((await app.request("/", { headers: { Host: "127.0.0.1:9000" } })).status, 200);
});
