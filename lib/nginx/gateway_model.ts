/**
 * Everything the gateway config is rendered from: settings only, never which instances exist
 * or run (nginx asks AiKore per request where a request goes). Validated again before rendering.
 */
export interface GatewayModel {
  /** IP address NGINX listens on for the dashboard and instance ports (0.0.0.0, 127.0.0.1, ::). */
  listenHost: string;
  dashboardPort: number;
  /** Port of AiKore's own server on 127.0.0.1. */
  backendPort: number;
  /**
   * Host names (no port) of the dashboard; any other Host on the dashboard port is a custom
   * instance host name or refused (444), as AiKore's check decides per request.
   */
  serverNames: string[];
  /** The instance pool ports: one server listens on all of them (minus ports held by others). */
  poolPorts: number[];
  /** Largest request body through the gateway; 0 or absent = unlimited. */
  maxUploadBytes?: number;
  /** AiKore's session cookie: every copy is removed from requests forwarded to apps. */
  sessionCookieName?: string;
  /**
   * A header nginx adds to every request it sends to AiKore (never to apps), so AiKore can tell
   * its own gateway from any other loopback peer. Name: a header token; value: hex.
   */
  backendTrust?: { header: string; value: string };
}

/** Process-level settings rendered into the main context. */
export interface RenderSettings {
  /** Seconds old workers may keep connections (WebSockets) open after a reload. Default 10. */
  shutdownTimeoutSec?: number;
  /** Default 2. */
  workerProcesses?: number;
  /**
   * Where nginx keeps AiKore's "pass, to this port" answers for the rest of the current second
   * (AiKore says how long with `X-Accel-Expires`): a folder the workers can reach (they run as
   * `nobody` under a root master, so not under a private data dir). Null/absent: AiKore is
   * asked on every request (the benchmark's "before").
   */
  authCacheDir?: string | null;
  /** `user` directive (only meaningful when AiKore runs as root); null/absent = omit. */
  workerUser?: string | null;
}

/** Validated render settings with their defaults filled in. */
export interface ResolvedRenderSettings {
  shutdownTimeoutSec: number;
  authCacheDir: string | null;
  workerProcesses: number;
  workerUser: string | null;
}

/** Internal path nginx's auth subrequest goes to on AiKore's server. */
export const GATEWAY_CHECK_PATH = "/_aikore/gateway/check";
/**
 * Where a custom host name's origin redeems a login ticket (sets the session cookie on that
 * host); nginx passes it to AiKore on the instance plane without the auth check.
 */
export const LOGIN_CLAIM_PATH = "/_aikore/claim";
/** Prefix of AiKore's gateway-only endpoints (refused when asked for from outside). */
export const GATEWAY_INTERNAL_PREFIX = "/_aikore/gateway/";
/** Response headers of the check that nginx reads with `auth_request_set`. */
export const CHECK_HEADERS = {
  /** 127.0.0.1 port the request goes to (the app, or AiKore for an AiKore page). */
  port: "X-AiKore-Upstream",
  /** The request URI sent there. */
  uri: "X-AiKore-Uri",
  /**
   * `app` (the request URI unchanged), `app_strip` (without `/instance/<slug>`) or `page` (the
   * URI in X-AiKore-Uri): a page gets AiKore's cookie and token, an app never does. An app's
   * URI is rebuilt by nginx, so one cached answer serves every URI of that route.
   */
  kind: "X-AiKore-Kind",
  /** On 401: where a browser is sent to log in. */
  login: "X-AiKore-Login",
  /**
   * On a pass to an app: `@<unix second>`, nginx may reuse the answer through that second
   * (never longer, so revocations are seen within 1 s). Absent: never reused.
   */
  cacheUntil: "X-Accel-Expires",
} as const;
