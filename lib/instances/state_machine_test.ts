import { assert, assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { INSTANCE_STATUSES } from "../shared/instance_schema.ts";
import { ACTIVE_STATUSES, STARTABLE_STATUSES } from "../shared/instance_status.ts";
import {
  assertTransition,
  canRuntimeTransition,
  canTransition,
  fittingStatuses,
  type RuntimeKind,
  TransitionError,
} from "./state_machine.ts";

const KINDS: RuntimeKind[] = ["unreconciled", "idle", "running", "stopping", "backoff"];

Deno.test("stored status: a start is allowed exactly from the startable statuses", () => {
  for (const status of INSTANCE_STATUSES) {
    assertEquals(canTransition(status, "starting"), STARTABLE_STATUSES.has(status), status);
  }
});

Deno.test("stored status: stopping only ends in stopped or error; exited never follows a stop", () => {
  assertEquals(
    INSTANCE_STATUSES.filter((to) => canTransition("stopping", to)).sort(),
    ["error", "stopped"],
  );
  assertThrows(() => assertTransition("stopped", "exited"), /"stopped" to "exited"/);
  assertThrows(() => assertTransition("stopping", "exited"), /"stopping" to "exited"/);
  assert(new TransitionError("a", "b") instanceof Error);
  assert(!canTransition("installing", "starting"), "a clone in progress cannot start");
});

Deno.test("runtime: a process is only spawned from idle or a pending restart, or adopted at boot", () => {
  const intoRunning = KINDS.filter((from) =>
    from !== "running" && canRuntimeTransition(from, "running")
  );
  // unreconciled → running spawns nothing: it adopts an app that outlived AiKore (its holder).
  assertEquals(intoRunning, ["unreconciled", "idle", "backoff"]);
  assert(!canRuntimeTransition("stopping", "running"), "no start while a stop runs");
  assert(
    !canRuntimeTransition("idle", "backoff"),
    "a back-off follows a run (or a restart of AiKore)",
  );
  assert(canRuntimeTransition("unreconciled", "backoff"), "a saved back-off resumes at boot");
  assert(!canRuntimeTransition("idle", "stopping"), "nothing to stop");
});

Deno.test("runtime ↔ stored: each settled state has its truthful statuses", () => {
  assertEquals([...fittingStatuses("running")].sort(), ["stalled", "started", "starting"]);
  assertEquals([...fittingStatuses("backoff")], ["exited"]);
  for (const status of fittingStatuses("idle")) {
    assert(!ACTIVE_STATUSES.has(status), `idle never shows ${status}`);
  }
  assertEquals(fittingStatuses("unreconciled").size, INSTANCE_STATUSES.length);
});
