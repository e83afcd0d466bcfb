import { configShapeProblem } from "./config_shape.ts";
import type { GatewayModel, RenderSettings } from "./gateway_model.ts";
import type { NginxPaths } from "./nginx_paths.ts";
import { renderNginxConfig } from "./render_nginx_config.ts";
import { assertValidGatewayModel, InvalidGatewayModelError } from "./validate_gateway_model.ts";

/** A config ready to be staged: the model actually rendered and what was left out. */
export interface PreparedConfig {
  /** `model` minus the pool ports that cannot be bound. */
  model: GatewayModel;
  text: string;
  /** pool port → why nginx does not listen on it (e.g. another program holds it). */
  portErrors: Record<number, string>;
}

/** Every port NGINX listens on for `model`. */
export function listenPorts(model: GatewayModel): number[] {
  return [model.dashboardPort, ...model.poolPorts];
}

/** Listen ports of `model` that the live config (if any) does not hold yet. */
export function newListenPorts(model: GatewayModel, live: GatewayModel | null): number[] {
  const held = live && live.listenHost === model.listenHost
    ? new Set(listenPorts(live))
    : new Set();
  return listenPorts(model).filter((port) => !held.has(port));
}

/**
 * Validates `model`, leaves out the pool ports that cannot be bound (`portProblems`,
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
  const portErrors: Record<number, string> = {};
  const poolPorts: number[] = [];
  for (const port of model.poolPorts) {
    const problem = portProblems.get(port);
    if (problem) portErrors[port] = problem;
    else poolPorts.push(port);
  }
  const effective = { ...model, poolPorts };
  const text = renderNginxConfig(effective, paths, settings);
  const shape = configShapeProblem(text, effective, paths, settings);
  if (shape) throw new InvalidGatewayModelError([shape]);
  return { model: effective, text, portErrors };
}

/** The port a failed reload could not bind (from NGINX's message), or null. */
export function portInBindError(message: string): number | null {
  const match = /bind\(\) to \S*:(\d+) failed/.exec(message);
  return match ? Number(match[1]) : null;
}
