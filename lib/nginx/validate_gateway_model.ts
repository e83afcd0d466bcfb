import { configPathProblem } from "./nginx_paths.ts";
import { hostnameProblem } from "../shared/identifiers.ts";
import type { GatewayModel, RenderSettings, ResolvedRenderSettings } from "./gateway_model.ts";

/** A gateway model or render setting that must not reach the NGINX config. */
export class InvalidGatewayModelError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid gateway model: ${problems.join("; ")}`);
    this.name = "InvalidGatewayModelError";
  }
}

const IPV4_RE = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP_RE = /^[0-9a-f]{1,4}$/;
const COOKIE_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const USER_RE = /^[a-z_][a-z0-9_-]{0,31}$/;
const MAX_BODY = 2 ** 50;
const MAX_POOL_PORTS = 4096;

/** The IPv6 address inside `[...]` or bare, lower-case hex only, or null when `text` is not one. */
function ipv6(text: string): string | null {
  const inner = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (inner.length > 39) return null;
  const halves = inner.split("::");
  if (halves.length > 2) return null;
  const groups = halves.map((half) => (half === "" ? [] : half.split(":")));
  if (groups.some((list) => list.some((group) => !HEX_GROUP_RE.test(group)))) return null;
  const count = groups.reduce((sum, list) => sum + list.length, 0);
  return (halves.length === 2 ? count <= 7 : count === 8) ? inner : null;
}

/** The listen address as NGINX writes it (`1.2.3.4` or `[::]`), or null when invalid. */
export function listenAddress(host: string): string | null {
  if (typeof host !== "string") return null;
  if (IPV4_RE.test(host)) return host;
  const v6 = ipv6(host);
  return v6 === null ? null : `[${v6}]`;
}

function serverNameProblem(name: unknown): string | null {
  if (typeof name !== "string") return "must be a string";
  if (name.startsWith("[")) {
    return ipv6(name) === null ? "is not an IPv6 address in [brackets]" : null;
  }
  return hostnameProblem(name);
}

function tcpPortProblem(port: unknown): string | null {
  if (typeof port !== "number" || !Number.isInteger(port)) return "must be a whole number";
  return port < 1 || port > 65535 ? "must be in 1-65535" : null;
}

function duplicateProblems(model: GatewayModel): string[] {
  const problems: string[] = [];
  const ports = new Map<number, string>([
    [model.dashboardPort, "the dashboard"],
    [model.backendPort, "AiKore's server"],
  ]);
  if (model.dashboardPort === model.backendPort) {
    problems.push(`port ${model.dashboardPort} is used by the dashboard and AiKore's server`);
  }
  const seen = new Set<number>();
  for (const port of model.poolPorts) {
    const owner = ports.get(port);
    if (owner) problems.push(`pool port ${port} is also ${owner}'s port`);
    if (seen.has(port)) problems.push(`pool port ${port} is listed twice`);
    seen.add(port);
  }
  return problems;
}

/** Every problem with `model` (empty when it may be rendered). */
export function gatewayModelProblems(model: GatewayModel): string[] {
  if (typeof model !== "object" || model === null) return ["model must be an object"];
  const problems: string[] = [];
  if (listenAddress(model.listenHost) === null) {
    problems.push(
      `listenHost ${
        JSON.stringify(model.listenHost)
      } must be an IP address such as 0.0.0.0, 127.0.0.1 or ::`,
    );
  }
  for (const key of ["dashboardPort", "backendPort"] as const) {
    const problem = tcpPortProblem(model[key]);
    if (problem) problems.push(`${key} ${JSON.stringify(model[key])} ${problem}`);
  }
  if (!Array.isArray(model.serverNames) || model.serverNames.length > 64) {
    problems.push("serverNames must be a list of at most 64 host names");
  } else {
    for (const name of model.serverNames) {
      const problem = serverNameProblem(name);
      if (problem) problems.push(`server name ${JSON.stringify(name)} ${problem}`);
    }
  }
  if (!Array.isArray(model.poolPorts) || model.poolPorts.length > MAX_POOL_PORTS) {
    return [...problems, `poolPorts must be a list of at most ${MAX_POOL_PORTS} ports`];
  }
  for (const port of model.poolPorts) {
    const problem = tcpPortProblem(port);
    if (problem) problems.push(`pool port ${JSON.stringify(port)} ${problem}`);
  }
  const body = model.maxUploadBytes;
  if (body !== undefined && (!Number.isInteger(body) || body < 0 || body > MAX_BODY)) {
    problems.push(`maxUploadBytes ${JSON.stringify(body)} must be a whole number in 0-${MAX_BODY}`);
  }
  const cookie = model.sessionCookieName;
  if (cookie !== undefined && (typeof cookie !== "string" || !COOKIE_NAME_RE.test(cookie))) {
    problems.push(
      `sessionCookieName ${JSON.stringify(cookie)} must use only A-Z, a-z, 0-9, '_' and '-'`,
    );
  }
  const trust = model.backendTrust;
  if (
    trust !== undefined &&
    (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(trust.header) || !/^[0-9a-f]{16,128}$/.test(trust.value))
  ) {
    problems.push("backendTrust must be a header token and a lowercase hex secret");
  }
  return problems.length > 0 ? problems : duplicateProblems(model);
}

/** Throws `InvalidGatewayModelError` listing every problem with `model`. */
export function assertValidGatewayModel(model: GatewayModel): void {
  const problems = gatewayModelProblems(model);
  if (problems.length > 0) throw new InvalidGatewayModelError(problems);
}

/** Render settings with defaults, or `InvalidGatewayModelError`. */
export function resolveRenderSettings(settings: RenderSettings = {}): ResolvedRenderSettings {
  const resolved = {
    shutdownTimeoutSec: settings.shutdownTimeoutSec ?? 10,
    workerProcesses: settings.workerProcesses ?? 2,
    workerUser: settings.workerUser ?? null,
    authCacheDir: settings.authCacheDir ?? null,
  };
  const problems: string[] = [];
  const { shutdownTimeoutSec: timeout, workerProcesses: workers, workerUser: user } = resolved;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 3600) {
    problems.push(`shutdownTimeoutSec ${JSON.stringify(timeout)} must be a whole number in 1-3600`);
  }
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    problems.push(`workerProcesses ${JSON.stringify(workers)} must be a whole number in 1-64`);
  }
  if (user !== null && (typeof user !== "string" || !USER_RE.test(user))) {
    problems.push(`workerUser ${JSON.stringify(user)} is not a user name`);
  }
  const cacheProblem = resolved.authCacheDir === null
    ? null
    : configPathProblem(String(resolved.authCacheDir));
  if (cacheProblem) problems.push(`authCacheDir: ${cacheProblem}`);
  if (problems.length > 0) throw new InvalidGatewayModelError(problems);
  return resolved;
}
