import type { InstanceRestartRepository } from "../../db/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { RestartLimits } from "../../process/mod.ts";
import type { Actor } from "../actor.ts";
import type { InstanceStore } from "../instance_store.ts";
import type { Clock } from "./clock.ts";
import type { LaunchPreparer } from "./launch_preparation.ts";
import type { LiveProcess, ProcessPort } from "./process_port.ts";

/** What every instance owner shares: storage, the process layer, time and notifications. */
export interface OwnerContext<P extends LiveProcess> {
  store: InstanceStore;
  /** Pending automatic restarts, kept across a restart of AiKore. */
  restarts: Pick<InstanceRestartRepository, "get" | "set" | "clear">;
  processes: ProcessPort<P>;
  prepare: LaunchPreparer;
  clock: Clock;
  logger: Logger;
  /** Stop grace period: SIGTERM → SIGKILL. */
  graceMs: number;
  restartLimits?: RestartLimits;
  /** The marker every process of instance `id` carries in `AIKORE_INSTANCE_ID`. */
  marker(id: number): string;
  audit(actor: Actor, action: string, target: string): void;
}

/** How a watch of a run (its health, its steps) reaches back into its owner. */
export interface WatchHooks {
  /** Runs `work` in the owner's queue. */
  serial(work: () => void): Promise<void>;
  /** True while the watched run is still the owner's current run. */
  current(): boolean;
}
