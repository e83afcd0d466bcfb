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
  instances: [
    {
      slug: "both",
      publicPort: 19001,
      upstreamPort: 40001,
      customHostname: null,
      proxy: "both",
      kind: "web",
    },
    {
      slug: "port",
      publicPort: 19002,
      upstreamPort: 40002,
      customHostname: null,
      proxy: "port",
      kind: "web",
    },
    {
      slug: "path",
      publicPort: 19003,
      upstreamPort: 40003,
      customHostname: null,
      proxy: "path",
      kind: "web",
    },
  ],
};

Deno.test("only listen ports the live config does not hold are checked", () => {
  assertEquals(newListenPorts(model, null), [9000, 19001, 19002]);
  const live = { ...model, instances: model.instances.slice(0, 1) };
  assertEquals(newListenPorts(model, live), [19002]);
  assertEquals(newListenPorts(model, { ...live, listenHost: "127.0.0.1" }), [9000, 19001, 19002]);
});

Deno.test("an instance whose port is blocked keeps its path route or is left out", () => {
  const blocked = new Map([[19001, "port 19001 is busy"], [19002, "port 19002 is busy"], [
    19003,
    "unused",
  ]]);
  const prepared = prepareConfig(model, paths, {}, blocked);
  assertEquals(prepared.model.instances.map((i) => [i.slug, i.proxy]), [["both", "path"], [
    "path",
    "path",
  ]]);
  assertEquals(prepared.instanceErrors, {
    both: "published under /instance/both/ only: port 19001 is busy",
    port: "not published: port 19002 is busy",
  });
  assertEquals(prepared.text.includes("19001"), false);
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
