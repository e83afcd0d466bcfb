import { assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import type { GatewayModel } from "./gateway_model.ts";
import { nginxPaths } from "./nginx_paths.ts";
import { newListenPorts, portInBindError, prepareConfig } from "./prepare_config.ts";

const paths = nginxPaths("/srv/aikore");
const model: GatewayModel = {
  listenHost: "0.0.0.0",
  dashboardPort: 9000,
  backendPort: 9100,
  serverNames: [],
  poolPorts: [19001, 19002, 19003],
};

Deno.test("only listen ports the live config does not hold are checked", () => {
  assertEquals(newListenPorts(model, null), [9000, 19001, 19002, 19003]);
  const live = { ...model, poolPorts: [19001] };
  assertEquals(newListenPorts(model, live), [19002, 19003]);
  assertEquals(newListenPorts(model, { ...live, listenHost: "127.0.0.1" }), [
    9000,
    19001,
    19002,
    19003,
  ]);
});

Deno.test("a pool port another program holds is left out and reported; the dashboard's is fatal", () => {
  const blocked = new Map([[19001, "port 19001 is busy"], [19777, "not a pool port"]]);
  const prepared = prepareConfig(model, paths, {}, blocked);
  assertEquals(prepared.model.poolPorts, [19002, 19003]);
  assertEquals(prepared.portErrors, { 19001: "port 19001 is busy" });
  assertEquals(prepared.text.includes(":19001;"), false);
  assertEquals(prepared.text.includes("listen 0.0.0.0:19002;"), true);
  assertThrows(
    () => prepareConfig(model, paths, {}, new Map([[9000, "busy"]])),
    /Cannot publish the dashboard: busy/,
  );
});

Deno.test("the port in NGINX's bind error is found", () => {
  assertEquals(
    portInBindError("bind() to 0.0.0.0:19004 failed (98: Address already in use)"),
    19004,
  );
  assertEquals(portInBindError("bind() to [::]:19005 failed (98: Address already in use)"), 19005);
  assertEquals(portInBindError("unknown directive"), null);
});
