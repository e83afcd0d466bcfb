import { LOG_LEVELS, type LogLevel } from "../log/mod.ts";
import { DESKTOP_CHOICES, type DesktopChoice } from "../shared/desktop_choice.ts";

/** Where and how AiKore runs, resolved once from the environment at start. */
export interface Config {
  /** Root of everything AiKore writes: database, instances, trash, nginx prefix. Absolute. */
  dataDir: string;
  /** Address the dashboard is reachable on (nginx listens here when managed, else AiKore). */
  listen: { hostname: string; port: number };
  /** Inclusive public port pool for instances. */
  portRange: { start: number; end: number };
  /** Extra Host header values accepted besides loopback names (lower-case, may carry a port). */
  allowedHosts: string[];
  /** Initial password, applied when none is set yet. */
  initialPassword: string | undefined;
  /** `false` only behind an operator's own authenticating proxy. */
  authEnabled: boolean;
  /** `auto` means managed when an nginx binary is found. */
  nginxMode: "managed" | "off" | "auto";
  nginxBinary: string;
  logLevel: LogLevel;
  /** Folder of the stock blueprints. */
  stockBlueprintsDir: string;
  /** Library name or path given to dlopen for NVML. */
  nvmlLibrary: string;
  /** Loopback port of AiKore's own HTTP server behind nginx (0 = any free port). */
  backendPort: number;
  /** Most interactive terminals alive at once. */
  terminalLimit: number;
  /** How long a stop waits after SIGTERM before SIGKILL. */
  stopGraceMs: number;
  /** What stopping AiKore does to running instances: leave them running (default) or stop them. */
  onShutdown: "leave" | "stop";
  /** The instance holder executable (AIKORE_HOLDER_BIN); "off": instances run inside AiKore;
   * undefined: the one built from source or shipped beside AiKore. */
  holderBinary: string | undefined;
  /** Persistent (desktop) mode backend: `auto` takes KasmVNC when installed, else TigerVNC. */
  desktop: DesktopChoice;
}

/** Thrown for a bad environment value; the message names the variable. */
export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`${variable}: ${reason}`);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function parsePort(variable: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new ConfigError(variable, `"${text}" is not a port number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new ConfigError(variable, `port ${port} is outside 1-65535`);
  return port;
}

function parseListen(text: string): Config["listen"] {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text) ??
    /^()()(\d{1,5})$/.exec(text);
  if (!match) throw new ConfigError("AIKORE_LISTEN", `"${text}" is not host:port`);
  const hostname = match[1] || match[2] || "127.0.0.1";
  return { hostname, port: parsePort("AIKORE_LISTEN", match[3] ?? "") };
}

function parseRange(text: string): Config["portRange"] {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  if (!match) throw new ConfigError("AIKORE_INSTANCE_PORT_RANGE", `"${text}" is not START-END`);
  const start = parsePort("AIKORE_INSTANCE_PORT_RANGE", match[1] ?? "");
  const end = parsePort("AIKORE_INSTANCE_PORT_RANGE", match[2] ?? "");
  if (start < 1024) {
    throw new ConfigError("AIKORE_INSTANCE_PORT_RANGE", "ports below 1024 are reserved");
  }
  if (end < start) {
    throw new ConfigError("AIKORE_INSTANCE_PORT_RANGE", `end ${end} < start ${start}`);
  }
  if (end - start > 999) {
    throw new ConfigError("AIKORE_INSTANCE_PORT_RANGE", "more than 1000 ports");
  }
  return { start, end };
}

function parseHosts(text: string): string[] {
  const hosts = text.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const host of hosts) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(host)) {
      throw new ConfigError("AIKORE_ALLOWED_HOSTS", `"${host}" is not a host name`);
    }
  }
  return hosts;
}

function oneOf<T extends string>(variable: string, text: string, allowed: readonly T[]): T {
  const value = text.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(variable, `"${text}" is not one of ${allowed.join(", ")}`);
  }
  return value as T;
}

function parseCount(variable: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ConfigError(variable, `"${text}" is not a whole number in ${min}-${max}`);
  }
  return Number(text);
}

function absolute(path: string, cwd: string): string {
  if (path.startsWith("/")) return path.replace(/\/+$/, "") || "/";
  const joined = `${cwd.replace(/\/+$/, "")}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return "/" + parts.join("/");
}

function parseHolderBinary(text: string | undefined, cwd: string): string | undefined {
  const value = text?.trim();
  if (!value) return undefined;
  if (value === "off") return value;
  if (value.includes("\0")) throw new ConfigError("AIKORE_HOLDER_BIN", "must be a path or off");
  return absolute(value, cwd);
}

/** The defaults, documented in the README's configuration table. */
export const CONFIG_DEFAULTS = {
  AIKORE_DATA_DIR: "./data",
  AIKORE_LISTEN: "127.0.0.1:9000",
  AIKORE_INSTANCE_PORT_RANGE: "19001-19020",
  AIKORE_ALLOWED_HOSTS: "",
  AIKORE_AUTH: "on",
  AIKORE_NGINX: "auto",
  AIKORE_NGINX_BIN: "nginx",
  AIKORE_LOG: "info",
  AIKORE_NVML_LIBRARY: "libnvidia-ml.so.1",
  AIKORE_BACKEND_PORT: "0",
  AIKORE_TERMINAL_LIMIT: "16",
  AIKORE_STOP_GRACE: "10",
  AIKORE_ON_SHUTDOWN: "leave",
  AIKORE_DESKTOP: "auto",
} as const;

/**
 * Resolves the configuration from environment values. Throws `ConfigError` naming the
 * first bad variable. `stockBlueprintsDir` is where the stock blueprints ship.
 */
export function loadConfig(env: Env, options: { cwd: string; stockBlueprintsDir: string }): Config {
  const get = (name: keyof typeof CONFIG_DEFAULTS) => env[name] ?? CONFIG_DEFAULTS[name];
  const dataDirText = get("AIKORE_DATA_DIR").trim();
  if (!dataDirText || dataDirText.includes("\0")) {
    throw new ConfigError("AIKORE_DATA_DIR", "must be a non-empty path");
  }
  const password = env.AIKORE_PASSWORD;
  if (password !== undefined && password.length > 0 && password.length < 8) {
    throw new ConfigError("AIKORE_PASSWORD", "must be at least 8 characters");
  }
  return {
    dataDir: absolute(dataDirText, options.cwd),
    listen: parseListen(get("AIKORE_LISTEN").trim()),
    portRange: parseRange(get("AIKORE_INSTANCE_PORT_RANGE")),
    allowedHosts: parseHosts(get("AIKORE_ALLOWED_HOSTS")),
    initialPassword: password ? password : undefined,
    authEnabled: oneOf("AIKORE_AUTH", get("AIKORE_AUTH"), ["on", "off"]) === "on",
    nginxMode: oneOf("AIKORE_NGINX", get("AIKORE_NGINX"), ["managed", "off", "auto"]),
    nginxBinary: get("AIKORE_NGINX_BIN"),
    logLevel: oneOf("AIKORE_LOG", get("AIKORE_LOG"), LOG_LEVELS),
    stockBlueprintsDir: env.AIKORE_BLUEPRINTS_DIR
      ? absolute(env.AIKORE_BLUEPRINTS_DIR, options.cwd)
      : options.stockBlueprintsDir,
    nvmlLibrary: get("AIKORE_NVML_LIBRARY"),
    backendPort: env.AIKORE_BACKEND_PORT === undefined
      ? 0
      : parsePort("AIKORE_BACKEND_PORT", env.AIKORE_BACKEND_PORT),
    terminalLimit: parseCount("AIKORE_TERMINAL_LIMIT", get("AIKORE_TERMINAL_LIMIT"), 1, 256),
    stopGraceMs: parseCount("AIKORE_STOP_GRACE", get("AIKORE_STOP_GRACE"), 1, 600) * 1000,
    onShutdown: oneOf("AIKORE_ON_SHUTDOWN", get("AIKORE_ON_SHUTDOWN"), ["leave", "stop"]),
    holderBinary: parseHolderBinary(env.AIKORE_HOLDER_BIN, options.cwd),
    desktop: oneOf("AIKORE_DESKTOP", get("AIKORE_DESKTOP"), DESKTOP_CHOICES),
  };
}
