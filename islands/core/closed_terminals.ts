/** What closing an instance's terminals does, in words (the delete dialog says it). */
import type { TerminalInfo } from "../../lib/shared/terminal_list.ts";

/** "Its open terminal is closed with it: it runs a job …", or null when it has none. */
export function closedTerminalsText(terminals: readonly TerminalInfo[]): string | null {
  if (terminals.length === 0) return null;
  const busy = terminals.filter((t) => t.running_job).length;
  const open = terminals.length === 1
    ? "Its open terminal is closed with it"
    : `Its ${terminals.length} open terminals are closed with it`;
  if (busy === 0) return `${open}.`;
  const jobs = terminals.length === 1
    ? "it runs a job"
    : busy === 1
    ? "one of them runs a job"
    : `${busy} of them run jobs`;
  return `${open}: ${jobs} (a download, a training), which ${busy === 1 ? "stops" : "stop"}.`;
}
