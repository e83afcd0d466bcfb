import { assertEquals, assertMatch, assertThrows } from "../../tests/helpers/assert.ts";
import type { GatewayInstance, GatewayModel } from "./gateway_model.ts";
import {
  gatewayModelProblems,
  InvalidGatewayModelError,
  listenAddress,
  resolveRenderSettings,
} from "./validate_gateway_model.ts";

const instance: GatewayInstance = {
  slug: "comfy-1",
  publicPort: 19001,
  upstreamPort: 40001,
  customHostname: null,
  proxy: "both",
  kind: "web",
};
const model: GatewayModel = {
  listenHost: "0.0.0.0",
  dashboardPort: 9000,
  backendPort: 9100,
  serverNames: ["localhost", "127.0.0.1", "[::1]", "aikore.lan"],
  instances: [instance],
};

function problemsWith(
  changes: Partial<GatewayModel>,
  instanceChanges: Partial<GatewayInstance> = {},
): string[] {
  return gatewayModelProblems({
    ...model,
    ...changes,
    instances: [{ ...instance, ...instanceChanges }],
  });
}

Deno.test("a well-formed model has no problems", () => {
  assertEquals(gatewayModelProblems(model), []);
  assertEquals(problemsWith({ maxUploadBytes: 0, sessionCookieName: "__Host-aikore_session" }), []);
  assertEquals(problemsWith({}, { customHostname: "comfy.lan", proxy: "path", kind: "vnc" }), []);
});

Deno.test("listen addresses are IP literals only, IPv6 written in brackets", () => {
  assertEquals(listenAddress("0.0.0.0"), "0.0.0.0");
  assertEquals(listenAddress("::"), "[::]");
  assertEquals(listenAddress("[::1]"), "[::1]");
  assertEquals(listenAddress("fe80::1:2"), "[fe80::1:2]");
  for (
    const bad of [
      "localhost",
      "256.0.0.1",
      "01.2.3.4",
      ":::",
      "1::2::3",
      "::g",
      "[::1",
      "1.2.3.4 ",
      "",
    ]
  ) {
    assertEquals(listenAddress(bad), null, bad);
  }
});

Deno.test("identifiers that could change the config are rejected, never escaped", () => {
  const slugs = ["a;}server{", "$host", 'a"b', "a'b", "a b", "a\nb", "A", "-a", "api", "ä", ""];
  for (const slug of slugs) {
    assertMatch(problemsWith({}, { slug }).join(), /slug/, JSON.stringify(slug));
  }
  for (
    const host of [
      "evil.com;",
      "a b.lan",
      "$host",
      "*.lan",
      "Ab.lan",
      "a..b",
      "host:80",
      "bücher.de",
    ]
  ) {
    assertMatch(problemsWith({}, { customHostname: host }).join(), /customHostname/, host);
    assertMatch(problemsWith({ serverNames: [host] }).join(), /server name/, host);
  }
  assertMatch(problemsWith({ serverNames: ["[::1;]"] }).join(), /IPv6/);
  assertMatch(problemsWith({ sessionCookieName: "a=b;c" }).join(), /sessionCookieName/);
  assertMatch(problemsWith({ maxUploadBytes: 1.5 }).join(), /maxUploadBytes/);
});

Deno.test("ports must be whole numbers in range and used once", () => {
  for (const port of [0, 80, 1023, 65536, 1.5, NaN, -1]) {
    assertMatch(problemsWith({}, { publicPort: port }).join(), /publicPort/, String(port));
    assertMatch(problemsWith({}, { upstreamPort: port }).join(), /upstreamPort/, String(port));
  }
  assertMatch(problemsWith({ dashboardPort: 0 }).join(), /dashboardPort/);
  assertEquals(problemsWith({ dashboardPort: 80 }), []);
  assertEquals(problemsWith({}, { publicPort: 9000 }), [
    'port 9000 is used by the dashboard and instance "comfy-1"',
  ]);
  assertEquals(problemsWith({}, { upstreamPort: 19001 }), [
    'port 19001 is used by instance "comfy-1" and instance "comfy-1" (upstream)',
  ]);
  const twice = gatewayModelProblems({
    ...model,
    instances: [instance, { ...instance, upstreamPort: 40002 }],
  });
  assertEquals(twice, [
    'slug comfy-1 is used by instance "comfy-1" and instance "comfy-1"',
    'port 19001 is used by instance "comfy-1" and instance "comfy-1"',
  ]);
});

Deno.test("custom host names must be unique and not the dashboard's", () => {
  assertEquals(problemsWith({}, { customHostname: "aikore.lan" }), [
    'host name aikore.lan is used by the dashboard and instance "comfy-1"',
  ]);
});

Deno.test("values of the wrong type are reported, not rendered", () => {
  const broken = {
    ...model,
    instances: [{ ...instance, publicPort: "19001", proxy: "all" }],
  } as unknown as GatewayModel;
  assertEquals(gatewayModelProblems(broken), [
    'instance "comfy-1" publicPort "19001" must be a whole number',
    'instance "comfy-1" proxy "all" must be port, path or both',
  ]);
  assertMatch(gatewayModelProblems(null as unknown as GatewayModel).join(), /object/);
});

Deno.test("render settings get defaults and are checked", () => {
  assertEquals(resolveRenderSettings(), {
    shutdownTimeoutSec: 10,
    workerProcesses: 2,
    workerUser: null,
  });
  assertThrows(() => resolveRenderSettings({ workerUser: "root;" }), /workerUser/);
  assertThrows(() => resolveRenderSettings({ shutdownTimeoutSec: 0 }), /shutdownTimeoutSec/);
  const error = (() => {
    try {
      resolveRenderSettings({ workerProcesses: 0 });
    } catch (e) {
      return e;
    }
  })();
  assertEquals(error instanceof InvalidGatewayModelError, true);
});
