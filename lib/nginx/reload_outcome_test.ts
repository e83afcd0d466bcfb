import { assertEquals } from "../../tests/helpers/assert.ts";
import { reloadOutcome } from "./reload_outcome.ts";

const at = "2026/01/01 00:00:00";

Deno.test("a reload is confirmed by the master starting new workers", () => {
  const log = [
    `${at} [notice] 100#100: signal 1 (SIGHUP) received from 5, reconfiguring`,
    `${at} [notice] 100#100: reconfiguring`,
    `${at} [crit] 101#101: *3 open() "/x" failed (13: Permission denied)`,
    `${at} [notice] 100#100: start worker processes`,
    `${at} [notice] 101#101: gracefully shutting down`,
  ].join("\n");
  assertEquals(reloadOutcome(log, 100), { state: "ok", oldWorkersStopping: 1 });
  assertEquals(reloadOutcome(log.split("\n").slice(0, 3).join("\n"), 100), { state: "pending" });
});

Deno.test("a refused reload reports the master's errors; bind retries are waited for", () => {
  const lines = [
    `${at} [notice] 100#100: reconfiguring`,
    `${at} [emerg] 100#100: bind() to 127.0.0.1:19001 failed (98: Address already in use)`,
    `${at} [notice] 100#100: try again to bind() after 500ms`,
    `${at} [emerg] 100#100: bind() to 127.0.0.1:19001 failed (98: Address already in use)`,
  ];
  assertEquals(reloadOutcome(lines.join("\n"), 100), { state: "pending" });
  lines.push(`${at} [emerg] 100#100: still could not bind()`);
  assertEquals(reloadOutcome(lines.join("\n"), 100), {
    state: "failed",
    message:
      "bind() to 127.0.0.1:19001 failed (98: Address already in use)\nstill could not bind()",
  });
  const other =
    `${at} [emerg] 100#100: open() "/srv/nginx.conf" failed (2: No such file or directory)`;
  assertEquals(reloadOutcome(other, 100).state, "failed");
  assertEquals(reloadOutcome(other, 200).state, "pending");
});
