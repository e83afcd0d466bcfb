import type { InstanceConfig } from "../db/mod.ts";
import { DomainError } from "../shared/domain_error.ts";
import {
  blueprintFileProblem,
  displayNameProblem,
  hostnameProblem,
  parseGpuIds,
  portProblem,
  relativePathProblem,
  slugProblem,
  versionProblem,
} from "../shared/identifiers.ts";
import { idleStopProblem } from "../shared/idle_stop.ts";
import { RESTART_POLICIES } from "../shared/instance_schema.ts";

/** What is remembered about a deleted instance so it can be restored. */
export interface TrashManifest {
  instanceId: number;
  deletedAt: string;
  config: InstanceConfig;
}

type Check = (value: unknown) => string | null;

const text = (problem: (value: string) => string | null): Check => (value) =>
  typeof value === "string" ? problem(value) : "must be a string";
const nullable = (check: Check): Check => (value) => value === null ? null : check(value);
const bool: Check = (value) => typeof value === "boolean" ? null : "must be true or false";
const port: Check = (value) => typeof value === "number" ? portProblem(value) : "must be a number";

/** Each config field of a manifest and its rule: the same rules API input and stored rows obey. */
const FIELDS: Record<keyof InstanceConfig, Check> = {
  parentId: nullable((v) => Number.isSafeInteger(v) && (v as number) > 0 ? null : "must be an id"),
  name: text(displayNameProblem),
  slug: text(slugProblem),
  blueprint: text(blueprintFileProblem),
  gpuIds: text((v) => {
    const parsed = parseGpuIds(v, null);
    return parsed.ok ? null : parsed.reason;
  }),
  autostart: bool,
  persistentMode: bool,
  hostname: nullable(text(hostnameProblem)),
  useCustomHostname: bool,
  outputPath: text(relativePathProblem),
  port: nullable(port),
  restartPolicy: (v) =>
    (RESTART_POLICIES as readonly unknown[]).includes(v) ? null : "unknown restart policy",
  pythonVersion: nullable(text(versionProblem)),
  cudaVersion: nullable(text(versionProblem)),
  torchVersion: nullable(text(versionProblem)),
  idleStopMinutes: idleStopProblem,
};
/** Fields a manifest written before they existed lacks. */
const OPTIONAL_FIELDS: ReadonlySet<string> = new Set(["idleStopMinutes"]);

/**
 * Validates a manifest read from the trash (an untrusted file) like API input. Returns the
 * manifest with only the known config fields, or throws 422 naming the field and the reason.
 */
export function validateTrashManifest(parsed: unknown, entry: string): TrashManifest {
  const fail = (field: string, reason: string): never => {
    throw new DomainError(
      "invalid",
      `Trash entry ${entry} cannot be restored: ${field} ${reason}`,
      [{ field, reason }],
      "invalid_trash_manifest",
    );
  };
  const root = (parsed ?? {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(root.instanceId)) fail("instanceId", "must be a whole number");
  if (typeof root.deletedAt !== "string" || Number.isNaN(Date.parse(root.deletedAt))) {
    fail("deletedAt", "must be a date");
  }
  const config = root.config;
  if (typeof config !== "object" || config === null) return fail("config", "is missing");
  const clean: Record<string, unknown> = {};
  for (const [field, check] of Object.entries(FIELDS)) {
    const value = (config as Record<string, unknown>)[field];
    const problem = value === undefined
      ? OPTIONAL_FIELDS.has(field) ? null : "is missing"
      : check(value);
    if (problem) fail(`config.${field}`, problem);
    clean[field] = value;
  }
  return {
    instanceId: root.instanceId as number,
    deletedAt: root.deletedAt as string,
    config: clean as unknown as InstanceConfig,
  };
}
