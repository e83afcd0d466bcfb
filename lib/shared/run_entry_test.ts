import { assertEquals } from "../../tests/helpers/assert.ts";
import { runDuration, type RunEntry, runOutcome } from "./run_entry.ts";

const run = (extra: Partial<RunEntry>): RunEntry => ({
  started_at: "2026-12-07T10:00:00.000Z",
  ended_at: null,
  outcome: null,
  exit_code: null,
  exit_signal: null,
  environment: null,
  ...extra,
});

Deno.test("runOutcome and runDuration in words", () => {
  assertEquals(runOutcome(run({})), "running");
  assertEquals(runOutcome(run({ outcome: "exited", exit_code: 3 })), "exited (3)");
  assertEquals(runOutcome(run({ outcome: "stopped", exit_signal: 9 })), "stopped (signal 9)");
  assertEquals(runOutcome(run({ outcome: "interrupted" })), "interrupted");
  assertEquals(runDuration(null), "running");
  assertEquals(runDuration(42_400), "42 s");
  assertEquals(runDuration(185_000), "3 min 5 s");
  assertEquals(runDuration(7_800_000), "2 h 10 min");
});
