/** One running instance as the gateway publishes it. */
export interface GatewayInstance {
  slug: string;
  /** Public pool port NGINX listens on for this instance (app at the root path). */
  publicPort: number;
  /** The app's internal 127.0.0.1 port, or the VNC web client's port. */
  upstreamPort: number;
  /** Extra virtual host serving the app at its root on the dashboard port, or null. */
  customHostname: string | null;
  /** Which routes to publish: its own port, `/instance/<slug>/` on the dashboard, or both. */
  proxy: "port" | "path" | "both";
  kind: "web" | "vnc";
}

/** Everything the gateway config is rendered from; validated again before rendering. */
export interface GatewayModel {
  /** IP address NGINX listens on for the dashboard and instance ports (0.0.0.0, 127.0.0.1, ::). */
  listenHost: string;
  dashboardPort: number;
  /** Port of AiKore's own server on 127.0.0.1. */
  backendPort: number;
  /**
   * Host names (no port) accepted on the dashboard and instance ports; any other Host is
   * refused (444). Empty: NGINX accepts any Host and AiKore's own allow-list decides.
   */
  serverNames: string[];
  instances: GatewayInstance[];
  /** Largest request body through the gateway; 0 or absent = unlimited. */
  maxUploadBytes?: number;
  /** AiKore's session cookie: removed from requests forwarded to apps so they never see it. */
  sessionCookieName?: string;
}

/** Process-level settings rendered into the main context. */
export interface RenderSettings {
  /** Seconds old workers may keep connections (WebSockets) open after a reload. Default 10. */
  shutdownTimeoutSec?: number;
  /** Default 2. */
  workerProcesses?: number;
  /** `user` directive (only meaningful when AiKore runs as root); null/absent = omit. */
  workerUser?: string | null;
}

/** Validated render settings with their defaults filled in. */
export interface ResolvedRenderSettings {
  shutdownTimeoutSec: number;
  workerProcesses: number;
  workerUser: string | null;
}
