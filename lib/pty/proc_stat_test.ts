import { deepEqual, equal, ok } from "node:assert/strict";
import { listLiveProcesses, parseProcStat, readProcStat } from "./proc_stat.ts";
import { decodeWaitStatus, describeExit } from "./wait_status.ts";

Deno.test("parses a stat line whose command name holds spaces and parentheses", () => {
  const line =
    "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
  deepEqual(parseProcStat(line), {
    pid: 4242,
    comm: "my (odd) name",
    state: "S",
    ppid: 1,
    pgid: 4242,
    sid: 4242,
    startTicks: 987654,
  });
});

Deno.test("rejects truncated or garbled stat lines", () => {
  equal(parseProcStat(""), null);
  equal(parseProcStat("12 (x) S 1 2"), null);
  equal(parseProcStat("nope (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"), null);
});

Deno.test("reads this process's own stat", () => {
  const stat = readProcStat(Deno.pid);
  equal(stat?.pid, Deno.pid);
  ok((stat?.startTicks ?? 0) > 0);
  ok(listLiveProcesses().some((p) => p.pid === Deno.pid));
  equal(readProcStat(2 ** 30), null);
});

Deno.test("decodes wait statuses", () => {
  deepEqual(decodeWaitStatus(7 << 8), { code: 7, signal: null });
  deepEqual(decodeWaitStatus(9), { code: null, signal: 9 });
  deepEqual(decodeWaitStatus(15 | 0x80), { code: null, signal: 15 }); // core dumped bit
  equal(describeExit({ code: 3, signal: null }), "exit code 3");
  equal(describeExit({ code: null, signal: 9 }), "killed by signal 9");
});
