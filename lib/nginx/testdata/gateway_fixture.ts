import { silentLogger } from "../../log/mod.ts";
import {
  type FakeBackend,
  startEchoApp,
  startFakeBackend,
  startGradioLikeApp,
  type TestServer,
} from "../../../tests/helpers/test_apps.ts";
import type { GatewayModel } from "../gateway_model.ts";
import { NginxGateway, type NginxGatewayOptions } from "../nginx_gateway.ts";
import { freePorts } from "./raw_http.ts";

/** The session secret the fake backend accepts (as cookie `aikore_session` or bearer token). */
export const SECRET = "test-session-secret";
export const AUTH = { cookie: `aikore_session=${SECRET}` };

/** A running gateway in front of a fake backend, an echo app and a Gradio-like app. */
export interface GatewayFixture {
  dir: string;
  gateway: NginxGateway;
  backend: FakeBackend;
  echo: TestServer;
  gradio: TestServer;
  model: GatewayModel;
  /** Spare free ports for instances a test adds. */
  spare: number[];
  close(): Promise<void>;
}

/**
 * Starts the three test servers and a real NGINX gateway publishing `echo` (port + path +
 * custom host `echo.test`) and `gradio` (port only), accepting Hosts 127.0.0.1 and localhost.
 */
export async function startGatewayFixture(
  options: Partial<NginxGatewayOptions> & { serverNames?: string[] } = {},
): Promise<GatewayFixture> {
  const dir = options.dataDir ?? await Deno.makeTempDir({ prefix: "aikore-nginx-" });
  const [backend, echo, gradio] = await Promise.all([
    startFakeBackend(SECRET),
    startEchoApp(),
    startGradioLikeApp(),
  ]);
  const [dashboardPort = 0, echoPort = 0, gradioPort = 0, ...spare] = freePorts(6);
  const model: GatewayModel = {
    listenHost: "127.0.0.1",
    dashboardPort,
    backendPort: backend.port,
    serverNames: options.serverNames ?? ["127.0.0.1", "localhost"],
    instances: [
      {
        slug: "echo",
        publicPort: echoPort,
        upstreamPort: echo.port,
        customHostname: "echo.test",
        proxy: "both",
        kind: "web",
      },
      {
        slug: "gradio",
        publicPort: gradioPort,
        upstreamPort: gradio.port,
        customHostname: null,
        proxy: "port",
        kind: "web",
      },
    ],
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
    spare,
    close: async () => {
      await gateway.stop();
      await Promise.all([backend.close(), echo.close(), gradio.close()]);
      if (!options.dataDir) await Deno.remove(dir, { recursive: true });
    },
  };
}
