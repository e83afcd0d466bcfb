import type { XServerOptions } from "./xvnc_args.ts";
import { yamlText } from "./yaml_text.ts";

/**
 * The part of KasmVNC's kasmvnc.yaml AiKore sets. Literal types pin what must never vary:
 * loopback only, plain HTTP (TLS and login are the gateway's), no session prompts, no shutdown.
 */
export interface KasmvncSettings {
  desktop: {
    resolution: { width: number; height: number };
    allow_resize: true;
    pixel_depth: 24;
  };
  network: {
    protocol: "http";
    interface: "127.0.0.1";
    websocket_port: number;
    use_ipv4: true;
    use_ipv6: false;
    ssl: { require_ssl: false };
  };
  user_session: {
    new_session_disconnects_existing_exclusive_session: false;
    concurrent_connections_prompt: false;
    idle_timeout: "never";
  };
  logging: { log_writer_name: "all"; log_dest: "logfile"; level: number };
  server: {
    http: { httpd_directory: string };
    advanced: { x_authority_file: string };
    auto_shutdown: {
      no_user_session_timeout: "never";
      active_user_session_timeout: "never";
      inactive_user_session_timeout: "never";
    };
  };
  command_line: { prompt: false };
}

/** KasmVNC settings of one desktop. */
export function kasmvncSettings(
  options: XServerOptions & { webPort: number; webDir: string },
): KasmvncSettings {
  return {
    desktop: {
      resolution: { width: options.width, height: options.height },
      allow_resize: true,
      pixel_depth: 24,
    },
    network: {
      protocol: "http",
      interface: "127.0.0.1",
      websocket_port: options.webPort,
      use_ipv4: true,
      use_ipv6: false,
      ssl: { require_ssl: false },
    },
    user_session: {
      new_session_disconnects_existing_exclusive_session: false,
      concurrent_connections_prompt: false,
      idle_timeout: "never",
    },
    logging: { log_writer_name: "all", log_dest: "logfile", level: 30 },
    server: {
      http: { httpd_directory: options.webDir },
      advanced: { x_authority_file: options.authFile },
      auto_shutdown: {
        no_user_session_timeout: "never",
        active_user_session_timeout: "never",
        inactive_user_session_timeout: "never",
      },
    },
    command_line: { prompt: false },
  };
}

/** The kasmvnc.yaml text of `settings` (written beside the desktop's logs). */
export function renderKasmvncYaml(settings: KasmvncSettings): string {
  return yamlText({ ...settings });
}

/**
 * KasmVNC Xvnc argv equivalent to `settings` (Xvnc itself does not read the YAML; its
 * `vncserver` wrapper does, which AiKore does not use). As with TigerVNC, no X11 over TCP,
 * cookie auth for X clients, listeners on loopback only; `-SecurityTypes None` and no basic
 * auth are acceptable ONLY because the gateway authenticates every request before proxying.
 */
export function kasmvncArgs(settings: KasmvncSettings, options: XServerOptions): string[] {
  const { resolution } = settings.desktop;
  return [
    `:${options.display}`,
    "-displayfd",
    "1",
    "-auth",
    settings.server.advanced.x_authority_file,
    "-nolisten",
    "tcp",
    "-interface",
    settings.network.interface,
    "-rfbport",
    String(options.vncPort),
    "-websocketPort",
    String(settings.network.websocket_port),
    "-httpd",
    settings.server.http.httpd_directory,
    "-sslOnly",
    "0",
    "-disableBasicAuth",
    "-SecurityTypes",
    "None",
    "-publicIP",
    "127.0.0.1",
    "-geometry",
    `${resolution.width}x${resolution.height}`,
    "-depth",
    String(settings.desktop.pixel_depth),
    "-AcceptSetDesktopSize=1",
    "-AlwaysShared",
    "-DisconnectClients=0",
  ];
}
