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
import type { DesktopSetup } from "./runtime/desktop_setup.ts";
import { desktopProcessPort } from "./runtime/desktop_process_port.ts";
import { sweepDesktops } from "../desktop/mod.ts";

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
  /** Persistent mode on this host (null or absent: desktop instances cannot start). */
  desktop?: DesktopSetup | null;
}

/** The runtime of production: real PTY processes, launch plans from blueprints on disk. */
export class InstanceLifecycle extends InstanceRuntime<InstanceProcess> {
  /** True when instances outlive AiKore (each runs under its own holder). */
  readonly survivesRestart: boolean;
  readonly #desktop: DesktopSetup | null;

  constructor(deps: LifecycleDeps) {
    const graceMs = deps.graceMs ?? 10_000;
    const processes = realProcessPort(
      deps.logger,
      Math.min(2000, graceMs),
      deps.paths.instancesRoot,
      deps.holder ?? null,
    );
    const desktop = deps.desktop ?? null;
    super({
      store: deps.store,
      restarts: deps.restarts,
      processes: desktop ? desktopProcessPort(processes, desktop, deps.logger, graceMs) : processes,
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
    this.#desktop = desktop;
  }

  /**
   * Boot: after every instance re-adopted what it could (its app and desktop), the desktops
   * nobody adopted (a dead AiKore's, of stopped or deleted instances) are ended and freed.
   */
  override async reconcile(): Promise<{ cleaned: number; started: number }> {
    const result = await super.reconcile();
    if (this.#desktop) {
      const report = await sweepDesktops(this.#desktop.dataDir).catch((error) => {
        this.context.logger.error("could not sweep leftover desktops", { error });
        return null;
      });
      if (report && report.reclaimed.length > 0) {
        this.context.logger.info("ended leftover desktops", {
          displays: report.reclaimed.map((r) => r.display),
        });
      }
    }
    return result;
  }
}

/** Builds the base environment passed to instances from AiKore's own. */
export function instanceBaseEnv(): Record<string, string> {
  return inheritedEnv(Deno.env.toObject());
}
