import type { GatewayModel, RenderSettings } from "./gateway_model.ts";
import type { NginxPaths } from "./nginx_paths.ts";
import { directiveMultiset, parseNginxConfig } from "./parse_nginx_config.ts";
import { renderNginxConfig } from "./render_nginx_config.ts";

/**
 * A model with the same shape as `model` (same counts and optional fields) but fixed, plain values. Its rendering is the template `model` must match.
 */
export function canonicalGatewayModel(model: GatewayModel): GatewayModel {
  const canonical: GatewayModel = {
    listenHost: "127.0.0.1",
    dashboardPort: 10000,
    backendPort: 10001,
    serverNames: model.serverNames.map((_, index) => `n${index}.test`),
    poolPorts: model.poolPorts.map((_, index) => 20000 + index),
  };
  if (model.maxUploadBytes !== undefined) canonical.maxUploadBytes = 1;
  if (model.sessionCookieName !== undefined) canonical.sessionCookieName = "c";
  if (model.backendTrust !== undefined) {
    canonical.backendTrust = { header: "X-T", value: "0123456789abcdef" };
  }
  return canonical;
}

// Templates depend only on the shape, and few shapes occur; remember the latest ones.
const templates = new Map<string, string[]>();

function templateMultiset(
  canonical: GatewayModel,
  paths: NginxPaths,
  settings: RenderSettings,
): string[] {
  const key = JSON.stringify([canonical, paths, settings]);
  let multiset = templates.get(key);
  if (!multiset) {
    multiset = directiveMultiset(parseNginxConfig(renderNginxConfig(canonical, paths, settings)));
    if (templates.size >= 64) templates.delete(templates.keys().next().value ?? "");
    templates.set(key, multiset);
  }
  return multiset;
}

/**
 * Why `text` (the rendering of `model`) differs in structure from the template, or null.
 * Defence in depth behind validation: an injected directive, block or include shows here.
 */
export function configShapeProblem(
  text: string,
  model: GatewayModel,
  paths: NginxPaths,
  settings: RenderSettings = {},
): string | null {
  const expected = templateMultiset(canonicalGatewayModel(model), paths, settings);
  let actual: string[];
  try {
    actual = directiveMultiset(parseNginxConfig(text));
  } catch (error) {
    return `rendered config does not parse: ${(error as Error).message}`;
  }
  if (actual.length !== expected.length) {
    return `rendered config has ${actual.length} directives, the template ${expected.length}`;
  }
  const index = actual.findIndex((entry, i) => entry !== expected[i]);
  return index < 0
    ? null
    : `rendered config has ${actual[index]} where the template has ${expected[index]}`;
}
