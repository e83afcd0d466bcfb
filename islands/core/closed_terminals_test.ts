import { assertEquals } from "../../tests/helpers/assert.ts";
import type { TerminalInfo } from "../../lib/shared/terminal_list.ts";
import { closedTerminalsText } from "./closed_terminals.ts";

const terminal = (running_job: boolean): TerminalInfo => ({
  id: crypto.randomUUID(),
  instance_id: 1,
  created_at: "2026-12-07T10:00:00Z",
  last_active_at: "2026-12-07T10:00:00Z",
  viewers: 0,
  running_job,
});

Deno.test("closedTerminalsText names the terminals a delete closes, and the jobs that stop", () => {
  assertEquals(closedTerminalsText([]), null);
  assertEquals(closedTerminalsText([terminal(false)]), "Its open terminal is closed with it.");
  assertEquals(
    closedTerminalsText([terminal(true)]),
    "Its open terminal is closed with it: it runs a job (a download, a training), which stops.",
  );
  assertEquals(
    closedTerminalsText([terminal(true), terminal(false), terminal(true)]),
    "Its 3 open terminals are closed with it: 2 of them run jobs (a download, a training), which stop.",
  );
  assertEquals(
    closedTerminalsText([terminal(false), terminal(true)]),
    "Its 2 open terminals are closed with it: one of them runs a job (a download, a training), which stops.",
  );
});
