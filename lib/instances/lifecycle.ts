import type { AuditRepository, InstanceRestartRepository } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { BlueprintSource } from "./blueprint_source.ts";
import type { InstancePaths } from "./instance_paths.ts";
import type { InstanceStore } from "./instance_store.ts";
import { inheritedEnv } from "./launch_plan.ts";
import { type Clock, systemClock } from "./runtime/clock.ts";
import { InstanceRuntime } from "./runtime/instance_runtime.ts";
import { fileLaunchPreparer } from "./runtime/launch_preparation.ts";
import { realProcessPort } from "./runtime/real_process_port.ts";
import type { HolderSetup } from "./runtime/held_process.ts";
import type { InstanceProcess } from "./runtime/instance_process.ts";

export interface LifecycleDeps {
  store: InstanceStore;
  restarts: InstanceRestartRepository;
  paths: InstancePaths;
  blueprints: BlueprintSource;
  audit: Pick<AuditRepository, "record">;
  logger: Logger;
  /** Distinguishes this data dir's processes from another AiKore's on the same host. */
  installId: string;
  baseEnv: Record<string, string>;
  /** The blueprint helper library passed to blueprints as `AIKORE_FUNCTIONS`. */
  functionsScript: string;
  graceMs?: number;
  clock?: Clock;
  /** Where each app's holder comes from; null: apps run inside AiKore and end with it. */
  holder?: HolderSetup | null;
}

/** The runtime of production: real PTY processes, launch plans from blueprints on disk. */
export class InstanceLifecycle extends InstanceRuntime<InstanceProcess> {
  /** True when instances outlive AiKore (each runs under its own holder). */
  readonly survivesRestart: boolean;

  constructor(deps: LifecycleDeps) {
    const graceMs = deps.graceMs ?? 10_000;
    super({
      store: deps.store,
      restarts: deps.restarts,
      processes: realProcessPort(
        deps.logger,
        Math.min(2000, graceMs),
        deps.paths.instancesRoot,
        deps.holder ?? null,
      ),
      prepare: fileLaunchPreparer(deps),
      clock: deps.clock ?? systemClock,
      logger: deps.logger,
      graceMs,
      marker: (id) => `${deps.installId}.${id}`,
      audit: (actor, action, target) =>
        deps.audit.record({
          actor: actor.actor,
          client: actor.client,
          action,
          target,
          detail: null,
        }),
    });
    this.survivesRestart = (deps.holder ?? null) !== null;
  }
}

/** Builds the base environment passed to instances from AiKore's own. */
export function instanceBaseEnv(): Record<string, string> {
  return inheritedEnv(Deno.env.toObject());
}
