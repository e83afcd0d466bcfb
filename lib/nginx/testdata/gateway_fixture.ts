import { silentLogger } from "../../log/mod.ts";
import {
  type FakeBackend,
  startEchoApp,
  startFakeBackend,
  startGradioLikeApp,
  type TestServer,
} from "../../../tests/helpers/test_apps.ts";
import type { InstanceRecord } from "../../db/mod.ts";
import { GatewayEndpoint, RouteTable } from "../../gateway/mod.ts";
import type { GatewayModel } from "../gateway_model.ts";
import { NginxGateway, type NginxGatewayOptions } from "../nginx_gateway.ts";
import { freePorts } from "./raw_http.ts";

/** The session secret the fixture accepts (as cookie `aikore_session` or bearer token). */
export const SECRET = "test-session-secret";
export const AUTH = { cookie: `aikore_session=${SECRET}` };

/** An instance row as the routing table reads it (the rest filled with plain values). */
export function routeRecord(
  fields: Pick<InstanceRecord, "id" | "slug" | "port" | "appPort"> & Partial<InstanceRecord>,
): InstanceRecord {
  return {
    parentId: null,
    name: fields.slug,
    blueprint: "app.sh",
    gpuIds: "",
    autostart: false,
    persistentMode: false,
    hostname: null,
    useCustomHostname: false,
    outputPath: fields.slug,
    restartPolicy: "no",
    pythonVersion: null,
    cudaVersion: null,
    torchVersion: null,
    createdAt: "",
    updatedAt: "",
    invalidReason: null,
    status: "started",
    statusMessage: null,
    pid: null,
    pidStartTicks: null,
    startedAt: null,
    vncDisplay: null,
    vncPort: null,
    exitCode: null,
    exitSignal: null,
    ...fields,
  };
}

/** A running gateway in front of a fake backend (with AiKore's real check), two apps. */
export interface GatewayFixture {
  dir: string;
  gateway: NginxGateway;
  backend: FakeBackend;
  echo: TestServer;
  gradio: TestServer;
  model: GatewayModel;
  table: RouteTable;
  /** Pool port of `echo` (also custom host `echo.test`), of `gradio` (port route only). */
  echoPort: number;
  gradioPort: number;
  /** Spare pool ports nothing is routed to yet. */
  spare: number[];
  close(): Promise<void>;
}

/**
 * Starts the test servers and a real NGINX gateway whose per-request check is AiKore's real
 * `GatewayEndpoint` over a `RouteTable` routing `echo` (port + path + custom host `echo.test`)
 * and `gradio` (port only), accepting Hosts 127.0.0.1 and localhost.
 */
export async function startGatewayFixture(
  options: Partial<NginxGatewayOptions> & { serverNames?: string[] } = {},
): Promise<GatewayFixture> {
  const dir = options.dataDir ?? await Deno.makeTempDir({ prefix: "aikore-nginx-" });
  const [echo, gradio] = await Promise.all([startEchoApp(), startGradioLikeApp()]);
  const [dashboardPort = 0, echoPort = 0, gradioPort = 0, ...spare] = freePorts(6);
  const serverNames = options.serverNames ?? ["127.0.0.1", "localhost"];
  const table = new RouteTable();
  table.setRouting("gradio.sh", { proxy: "port", pathMode: "strip" });
  table.upsert(routeRecord({
    id: 1,
    slug: "echo",
    port: echoPort,
    appPort: echo.port,
    hostname: "echo.test",
    useCustomHostname: true,
  }));
  table.upsert(
    routeRecord({
      id: 2,
      slug: "gradio",
      port: gradioPort,
      appPort: gradio.port,
      blueprint: "gradio.sh",
    }),
  );
  let backendPort = 0;
  const endpoint = new GatewayEndpoint({
    table,
    settings: {
      dashboardPort,
      get backendPort() {
        return backendPort;
      },
      dashboardNames: serverNames,
      poolRange: { start: Math.min(echoPort, gradioPort, ...spare), end: 65535 },
    },
    authenticate: (headers) => {
      const cookies = (headers.get("cookie") ?? "").split(/;\s*/);
      const ok = cookies.includes(AUTH.cookie) ||
        headers.get("authorization") === `Bearer ${SECRET}`;
      return ok ? { kind: "session", actor: "test", csrfToken: "csrf" } : null;
    },
    start: () => Promise.resolve(),
    logger: silentLogger,
  });
  const backend = await startFakeBackend(SECRET, {
    intercept: (request) => endpoint.handle(request, new URL(request.url)),
  });
  backendPort = backend.port;
  const model: GatewayModel = {
    listenHost: "127.0.0.1",
    dashboardPort,
    backendPort: backend.port,
    serverNames,
    poolPorts: [echoPort, gradioPort, ...spare],
    sessionCookieName: "aikore_session",
  };
  const gateway = new NginxGateway({
    binary: "/usr/sbin/nginx",
    dataDir: dir,
    logger: silentLogger,
    shutdownTimeoutSec: 2,
    ...options,
  });
  const started = await gateway.start(model);
  if (!started.ok) throw new Error(`gateway fixture did not start: ${started.error}`);
  return {
    dir,
    gateway,
    backend,
    echo,
    gradio,
    model,
    table,
    echoPort,
    gradioPort,
    spare,
    close: async () => {
      await gateway.stop();
      await Promise.all([backend.close(), echo.close(), gradio.close()]);
      if (!options.dataDir) await Deno.remove(dir, { recursive: true });
    },
  };
}
