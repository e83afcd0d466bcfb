import { compileHealthPattern } from "../process/mod.ts";
import { relativePathProblem } from "../shared/identifiers.ts";

/** How AiKore decides that a started app is healthy. */
export type HealthCheck =
  | { kind: "http"; path: string }
  | { kind: "log"; pattern: string }
  | { kind: "process" };

/** What a blueprint's metadata block declares, with defaults filled in. */
export interface BlueprintMetadata {
  name: string;
  category: string;
  description: string;
  venvType: "conda" | "python" | "none";
  venvPath: string;
  persistentMode: boolean;
  health: HealthCheck;
  startTimeoutSec: number;
  proxy: "port" | "path" | "both";
  /** `strip`: the app sees `/…` on the path route; `keep`: `/instance/<slug>/…` (base-URL apps). */
  proxyPath: "strip" | "keep";
  /** Keys AiKore does not know, kept so the UI can show them. */
  extra: Record<string, string>;
}

/** Keys with a meaning; any other `aikore.<key>` lands in `extra`. */
export const KNOWN_METADATA_KEYS = [
  "name",
  "category",
  "description",
  "venv_type",
  "venv_path",
  "persistent_mode",
  "health",
  "start_timeout",
  "proxy",
  "proxy_path",
] as const;
type KnownKey = typeof KNOWN_METADATA_KEYS[number];

// deno-lint-ignore no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const HTTP_PATH_RE = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%\/?-]*$/;

/** The metadata of a blueprint that declares nothing; the name comes from its file name. */
export function defaultBlueprintMetadata(fileName: string): BlueprintMetadata {
  const base = fileName.split("/").pop() ?? fileName;
  return {
    name: base.replace(/\.sh$/, "") || base,
    category: "Other",
    description: "",
    // Every Python-AiKore blueprint used a conda env at ./env; consumers check it exists.
    venvType: "conda",
    venvPath: "./env",
    persistentMode: false,
    health: { kind: "http", path: "/" },
    startTimeoutSec: 180,
    proxy: "both",
    proxyPath: "strip",
    extra: {},
  };
}

function text(value: string, max: number, allowEmpty: boolean): string {
  if (!allowEmpty && value === "") throw new Error("must not be empty");
  if ([...value].length > max) throw new Error(`must be at most ${max} characters`);
  if (CONTROL_RE.test(value)) throw new Error("must not contain control characters");
  return value;
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`must be one of ${allowed.join(", ")} (got "${value}")`);
}

function venvPath(value: string): string {
  if (value.startsWith("/")) throw new Error("must be relative to the instance folder");
  const rest = value.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  const problem = relativePathProblem(rest);
  if (problem) throw new Error(problem);
  return value;
}

function health(value: string): HealthCheck {
  if (value === "process") return { kind: "process" };
  if (value.startsWith("http:")) {
    const path = value.slice(5);
    if (!HTTP_PATH_RE.test(path)) throw new Error(`http path "${path}" must start with "/"`);
    return { kind: "http", path };
  }
  if (value.startsWith("log:")) {
    const pattern = value.slice(4);
    if (pattern === "") throw new Error("log pattern must not be empty");
    try {
      new RegExp(pattern);
      // Matched with RE2 (linear time) at run time: refuse what it cannot run at save time.
      compileHealthPattern(pattern);
    } catch (error) {
      throw new Error(`log pattern is not a valid regular expression: ${(error as Error).message}`);
    }
    return { kind: "log", pattern };
  }
  throw new Error(`must be http:/path, log:<regex> or process (got "${value}")`);
}

function timeout(value: string): number {
  if (!/^\d{1,4}$/.test(value)) {
    throw new Error(`must be a whole number of seconds (got "${value}")`);
  }
  const seconds = Number(value);
  if (seconds < 1 || seconds > 3600) throw new Error("must be between 1 and 3600 seconds");
  return seconds;
}

function bool(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  throw new Error(`must be true or false (got "${value}")`);
}

/** Sets one key on `meta`; throws an Error whose message is the reason the value is bad. */
export function applyMetadataValue(meta: BlueprintMetadata, key: string, value: string): void {
  switch (key as KnownKey) {
    case "name":
      meta.name = text(value, 100, false);
      return;
    case "category":
      meta.category = text(value, 64, false);
      return;
    case "description":
      meta.description = text(value, 500, true);
      return;
    case "venv_type":
      meta.venvType = oneOf(value, ["conda", "python", "none"] as const);
      return;
    case "venv_path":
      meta.venvPath = venvPath(value);
      return;
    case "persistent_mode":
      meta.persistentMode = bool(value);
      return;
    case "health":
      meta.health = health(value);
      return;
    case "start_timeout":
      meta.startTimeoutSec = timeout(value);
      return;
    case "proxy":
      meta.proxy = oneOf(value, ["port", "path", "both"] as const);
      return;
    case "proxy_path":
      meta.proxyPath = oneOf(value, ["strip", "keep"] as const);
      return;
    default:
      meta.extra[key] = text(value, 500, true);
  }
}
