import type { InstanceRecord } from "../../db/mod.ts";
import {
  ensureDirBeneath,
  exists,
  mkdirBeneath,
  removeBeneath,
  writeBeneath,
} from "../../fs/mod.ts";
import { portForChild } from "../../ports/mod.ts";
import { DomainError, stateConflict } from "../../shared/domain_error.ts";
import type { BlueprintSource } from "../blueprint_source.ts";
import type { InstancePaths } from "../instance_paths.ts";
import type { InstanceStore } from "../instance_store.ts";
import { buildLaunchPlan, type InstanceLaunchPlan } from "../launch_plan.ts";
import { requireValid } from "../valid_record.ts";
import type { DesktopSetup } from "./desktop_setup.ts";

/** Turns an instance row into a launch plan, creating what the plan needs on disk. */
export type LaunchPreparer = (
  record: InstanceRecord,
  marker: string,
) => Promise<InstanceLaunchPlan>;

export interface LaunchPreparationDeps {
  store: InstanceStore;
  paths: InstancePaths;
  blueprints: BlueprintSource;
  baseEnv: Record<string, string>;
  /** The blueprint helper library passed to blueprints as `AIKORE_FUNCTIONS`. */
  functionsScript: string;
  /** Persistent mode on this host (null: never available). */
  desktop?: DesktopSetup | null;
}

/**
 * The production preparer: checks the parent of a satellite, provisions launch.sh from the
 * blueprint when the instance has none yet, computes the plan and creates its folders.
 */
export function fileLaunchPreparer(deps: LaunchPreparationDeps): LaunchPreparer {
  return async (record, marker) => {
    const parent = record.parentId === null
      ? null
      : requireValid(deps.store.get(record.parentId), record.parentId);
    if (parent && (parent.status === "starting" || parent.status === "installing")) {
      throw stateConflict(
        `The parent "${parent.name}" is ${parent.status} (it may be installing); start the satellite once it is started`,
      );
    }
    if (record.persistentMode && !deps.desktop?.backend) {
      throw new DomainError(
        "unavailable",
        `Desktop (persistent) mode cannot run on this server: ${
          deps.desktop?.reason ?? "no desktop backend"
        }. Install the packages or turn Desktop mode off for "${record.name}"`,
      );
    }
    const owner = parent ?? record;
    const blueprint = await deps.blueprints.find(owner.blueprint);
    await provisionScript(deps, owner, blueprint !== null);
    const plan = buildLaunchPlan({
      record,
      parent,
      blueprint,
      paths: deps.paths,
      appPort: portForChild(),
      marker,
      baseEnv: deps.baseEnv,
      functionsScript: deps.functionsScript,
    });
    if (record.persistentMode) {
      plan.desktop = { instanceDir: deps.paths.instanceDir(record.slug), slug: record.slug };
    }
    const instancesRoot = deps.paths.instancesRoot;
    for (const dir of plan.ensureDirs) {
      // An instance folder may hold planted links: never create folders through them.
      if (dir.startsWith(`${instancesRoot}/`)) await ensureDirBeneath(instancesRoot, dir);
      else await Deno.mkdir(dir, { recursive: true });
    }
    // The last run's step is not this one's.
    await removeBeneath(plan.stepFile.root, plan.stepFile.path).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    return plan;
  };
}

/** Copies the blueprint to launch.sh when an owner has none yet (lazy provisioning). */
async function provisionScript(
  deps: LaunchPreparationDeps,
  owner: InstanceRecord,
  blueprintExists: boolean,
): Promise<void> {
  const script = deps.paths.launchScript(owner.slug);
  if (await exists(script)) return;
  if (!blueprintExists) {
    throw stateConflict(
      `"${owner.name}" has no launch.sh and its blueprint "${owner.blueprint}" is gone`,
    );
  }
  await mkdirBeneath(deps.paths.instancesRoot, deps.paths.instanceDir(owner.slug));
  const text = await deps.blueprints.read(owner.blueprint);
  await writeBeneath(deps.paths.instancesRoot, script, text, 0o755);
}
