import { assertEquals, assertMatch, assertThrows } from "../../tests/helpers/assert.ts";
import type { GatewayModel } from "./gateway_model.ts";
import {
  gatewayModelProblems,
  InvalidGatewayModelError,
  listenAddress,
  resolveRenderSettings,
} from "./validate_gateway_model.ts";

const model: GatewayModel = {
  listenHost: "0.0.0.0",
  dashboardPort: 9000,
  backendPort: 9100,
  serverNames: ["localhost", "127.0.0.1", "[::1]", "aikore.lan"],
  poolPorts: [19001, 19002],
};

function problemsWith(changes: Partial<GatewayModel>): string[] {
  return gatewayModelProblems({ ...model, ...changes });
}

Deno.test("a well-formed model has no problems", () => {
  assertEquals(gatewayModelProblems(model), []);
  assertEquals(problemsWith({ maxUploadBytes: 0, sessionCookieName: "__Host-aikore_session" }), []);
  assertEquals(problemsWith({ poolPorts: [] }), []);
  assertMatch(problemsWith({ serverNames: ["[::1;]"] }).join(), /IPv6/);
  assertMatch(problemsWith({ sessionCookieName: "a=b;c" }).join(), /sessionCookieName/);
  assertMatch(problemsWith({ maxUploadBytes: 1.5 }).join(), /maxUploadBytes/);
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
  for (const port of ["19001;", "1 2", "$port"]) {
    assertMatch(
      problemsWith({ poolPorts: [port as unknown as number] }).join(),
      /pool port/,
      JSON.stringify(port),
    );
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
    assertMatch(problemsWith({ serverNames: [host] }).join(), /server name/, host);
  }
  assertMatch(problemsWith({ serverNames: ["[::1;]"] }).join(), /IPv6/);
  assertMatch(problemsWith({ sessionCookieName: "a=b;c" }).join(), /sessionCookieName/);
  assertMatch(problemsWith({ maxUploadBytes: 1.5 }).join(), /maxUploadBytes/);
});

Deno.test("ports must be whole numbers in range and used once", () => {
  for (const port of [0, 65536, 1.5, NaN, -1]) {
    assertMatch(problemsWith({ poolPorts: [port] }).join(), /pool port/, String(port));
  }
  assertMatch(problemsWith({ dashboardPort: 0 }).join(), /dashboardPort/);
  assertEquals(problemsWith({ dashboardPort: 80 }), []);
  assertEquals(problemsWith({ poolPorts: [19001, 9000] }), [
    "pool port 9000 is also the dashboard's port",
  ]);
  assertEquals(problemsWith({ poolPorts: [19001, 19001] }), ["pool port 19001 is listed twice"]);
  assertEquals(problemsWith({ backendPort: 9000 }), [
    "port 9000 is used by the dashboard and AiKore's server",
  ]);
});

Deno.test("values of the wrong type are reported, not rendered", () => {
  const broken = { ...model, poolPorts: ["19001"] } as unknown as GatewayModel;
  assertEquals(gatewayModelProblems(broken), ['pool port "19001" must be a whole number']);
  const notList = { ...model, poolPorts: "19001-19010" } as unknown as GatewayModel;
  assertMatch(gatewayModelProblems(notList).join(), /poolPorts must be a list/);
  assertMatch(gatewayModelProblems(null as unknown as GatewayModel).join(), /object/);
});

Deno.test("render settings get defaults and are checked", () => {
  assertEquals(resolveRenderSettings(), {
    shutdownTimeoutSec: 10,
    workerProcesses: 2,
    workerUser: null,
    authCacheDir: null,
  });
  assertThrows(() => resolveRenderSettings({ workerUser: "root;" }), /workerUser/);
  assertThrows(() => resolveRenderSettings({ authCacheDir: "/x;y" }), /authCacheDir/);
  assertThrows(() => resolveRenderSettings({ authCacheDir: "rel/dir" }), /authCacheDir/);
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
