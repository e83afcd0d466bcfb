import { hostnameProblem, portProblem, slugProblem } from "../shared/identifiers.ts";
import type {
  GatewayInstance,
  GatewayModel,
  RenderSettings,
  ResolvedRenderSettings,
} from "./gateway_model.ts";

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

function instanceProblems(instance: GatewayInstance, index: number): string[] {
  const problems: string[] = [];
  const where = `instance #${index}`;
  if (typeof instance !== "object" || instance === null) return [`${where} must be an object`];
  const slug = typeof instance.slug === "string" ? slugProblem(instance.slug) : "must be a string";
  if (slug) problems.push(`${where} slug ${JSON.stringify(instance.slug)} ${slug}`);
  const name = typeof instance.slug === "string" && !slug ? `instance "${instance.slug}"` : where;
  for (const key of ["publicPort", "upstreamPort"] as const) {
    const value = instance[key];
    const problem = typeof value === "number" ? portProblem(value) : "must be a whole number";
    if (problem) problems.push(`${name} ${key} ${JSON.stringify(value)} ${problem}`);
  }
  if (instance.customHostname !== null) {
    const problem = typeof instance.customHostname === "string"
      ? hostnameProblem(instance.customHostname)
      : "must be a string or null";
    if (problem) {
      problems.push(`${name} customHostname ${JSON.stringify(instance.customHostname)} ${problem}`);
    }
  }
  if (!["port", "path", "both"].includes(instance.proxy)) {
    problems.push(`${name} proxy ${JSON.stringify(instance.proxy)} must be port, path or both`);
  }
  if (!["web", "vnc"].includes(instance.kind)) {
    problems.push(`${name} kind ${JSON.stringify(instance.kind)} must be web or vnc`);
  }
  return problems;
}

function duplicateProblems(model: GatewayModel): string[] {
  const problems: string[] = [];
  const ports = new Map<number, string>([
    [model.dashboardPort, "the dashboard"],
    [model.backendPort, "AiKore's server"],
  ]);
  const claim = (map: Map<unknown, string>, key: unknown, owner: string, what: string) => {
    const previous = map.get(key);
    if (previous !== undefined) {
      problems.push(`${what} ${String(key)} is used by ${previous} and ${owner}`);
    } else map.set(key, owner);
  };
  const slugs = new Map<unknown, string>();
  const hosts = new Map<unknown, string>(model.serverNames.map((n) => [n, "the dashboard"]));
  for (const instance of model.instances) {
    const owner = `instance "${instance.slug}"`;
    claim(slugs, instance.slug, owner, "slug");
    claim(ports, instance.publicPort, owner, "port");
    claim(ports, instance.upstreamPort, `${owner} (upstream)`, "port");
    if (instance.customHostname !== null) claim(hosts, instance.customHostname, owner, "host name");
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
  if (!Array.isArray(model.instances) || model.instances.length > 1000) {
    return [...problems, "instances must be a list of at most 1000 instances"];
  }
  model.instances.forEach((instance, index) => problems.push(...instanceProblems(instance, index)));
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
  if (problems.length > 0) throw new InvalidGatewayModelError(problems);
  return resolved;
}
