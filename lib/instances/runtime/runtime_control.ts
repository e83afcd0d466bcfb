import type { InstanceRecord } from "../../db/mod.ts";
import type { Actor } from "../actor.ts";
import type { OwnerSection } from "./instance_owner.ts";

/** The runtime as the configuration side needs it (implemented by the lifecycle). */
export interface RuntimeControl {
  /** Runs `work` holding the instance's owner: no start, stop or restart meanwhile. */
  exclusive<T>(id: number, work: (section: OwnerSection) => Promise<T>): Promise<T>;
  /** Marks the instance's folder as read by a clone until the release is called. */
  hold(id: number): Promise<() => void>;
  start(id: number, actor: Actor): Promise<InstanceRecord>;
  stop(id: number, actor: Actor): Promise<InstanceRecord>;
  restart(id: number, actor: Actor): Promise<InstanceRecord>;
}
