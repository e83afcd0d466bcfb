import type { OwnerSection } from "./instance_owner.ts";

/** The runtime as the configuration side needs it (implemented by the lifecycle). */
export interface RuntimeControl {
  /** Runs `work` holding the instance's owner: no start, stop or restart meanwhile. */
  exclusive<T>(id: number, work: (section: OwnerSection) => Promise<T>): Promise<T>;
  /** Marks the instance's folder as read by a clone until the release is called. */
  hold(id: number): Promise<() => void>;
}
