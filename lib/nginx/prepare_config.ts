import { configShapeProblem } from "./config_shape.ts";
import type { GatewayInstance, GatewayModel, RenderSettings } from "./gateway_model.ts";
import type { NginxPaths } from "./nginx_paths.ts";
import { renderNginxConfig } from "./render_nginx_config.ts";
import { assertValidGatewayModel, InvalidGatewayModelError } from "./validate_gateway_model.ts";

/** A config ready to be staged: the model actually rendered and what was left out. */
export interface PreparedConfig {
  /** `model` minus the routes that cannot be published. */
  model: GatewayModel;
  text: string;
  /** slug → why (some of) its routes are not published. */
  instanceErrors: Record<string, string>;
}

/** Every port NGINX listens on for `model`. */
export function listenPorts(model: GatewayModel): number[] {
  return [
    model.dashboardPort,
    ...model.instances.filter((i) => i.proxy !== "path").map((i) => i.publicPort),
  ];
}

/** Listen ports of `model` that the live config (if any) does not hold yet. */
export function newListenPorts(model: GatewayModel, live: GatewayModel | null): number[] {
  const held = live && live.listenHost === model.listenHost
    ? new Set(listenPorts(live))
    : new Set();
  return listenPorts(model).filter((port) => !held.has(port));
}

function withoutBlockedPort(
  instance: GatewayInstance,
  problem: string,
  errors: Record<string, string>,
): GatewayInstance | null {
  if (instance.proxy === "port") {
    errors[instance.slug] = `not published: ${problem}`;
    return null;
  }
  errors[instance.slug] = `published under /instance/${instance.slug}/ only: ${problem}`;
  return { ...instance, proxy: "path" };
}

/**
 * Validates `model`, leaves out the port routes whose ports cannot be bound (`portProblems`,
 * port → reason), renders the config and checks its structure against the template. Pure.
 * Throws `InvalidGatewayModelError`, or `Error` when the dashboard port itself is blocked.
 */
export function prepareConfig(
  model: GatewayModel,
  paths: NginxPaths,
  settings: RenderSettings,
  portProblems: Map<number, string>,
): PreparedConfig {
  assertValidGatewayModel(model);
  const dashboardProblem = portProblems.get(model.dashboardPort);
  if (dashboardProblem) throw new Error(`Cannot publish the dashboard: ${dashboardProblem}`);
  const instanceErrors: Record<string, string> = {};
  const instances: GatewayInstance[] = [];
  for (const instance of model.instances) {
    const problem = instance.proxy === "path" ? undefined : portProblems.get(instance.publicPort);
    const kept = problem ? withoutBlockedPort(instance, problem, instanceErrors) : instance;
    if (kept) instances.push(kept);
  }
  const effective = { ...model, instances };
  const text = renderNginxConfig(effective, paths, settings);
  const shape = configShapeProblem(text, effective, paths, settings);
  if (shape) throw new InvalidGatewayModelError([shape]);
  return { model: effective, text, instanceErrors };
}

/** The port a failed reload could not bind (from NGINX's message), or null. */
export function portInBindError(message: string): number | null {
  const match = /bind\(\) to \S*:(\d+) failed/.exec(message);
  return match ? Number(match[1]) : null;
}
