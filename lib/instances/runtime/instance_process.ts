import type { HolderExit, HolderHandle } from "../../holder/mod.ts";
import type { PtySession } from "../../pty/mod.ts";
import type { LiveProcess } from "./process_port.ts";

/** A process of an instance as production runs it. */
export interface InstanceProcess extends LiveProcess {
  /** The console: scrollback and browser viewers, fed by one connection per instance. */
  session: PtySession;
  /** The holder that owns the app (it outlives AiKore); null when it runs inside AiKore. */
  holder: HolderHandle | null;
  /** True once AiKore re-attached it after a restart of its own. */
  adopted: boolean;
}

/** What a previous life of AiKore left in an instance's runtime folder. */
export type Adoption<P> =
  /** No holder record: nothing to adopt (a run inside AiKore, or never started). */
  | { kind: "none" }
  /** The holder is alive (identity checked) and AiKore is attached to it again. */
  | { kind: "running"; process: P }
  /** The app ended while AiKore was down; its holder recorded how. */
  | { kind: "exited"; exit: HolderExit }
  /** The holder is gone without an exit record (killed), or its record is unreadable. */
  | { kind: "lost"; reason: string };
