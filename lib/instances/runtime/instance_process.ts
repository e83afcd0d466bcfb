import type { HolderHandle } from "../../holder/mod.ts";
import type { PtySession } from "../../pty/mod.ts";
import type { LiveProcess } from "./process_port.ts";
export type { Adoption } from "./process_port.ts";

/** A process of an instance as production runs it. */
export interface InstanceProcess extends LiveProcess {
  /** The console: scrollback and browser viewers, fed by one connection per instance. */
  session: PtySession;
  /** The holder that owns the app (it outlives AiKore); null when it runs inside AiKore. */
  holder: HolderHandle | null;
  /** True once AiKore re-attached it after a restart of its own. */
  adopted: boolean;
}
