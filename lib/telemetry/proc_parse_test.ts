import { assertEquals } from "../../tests/helpers/assert.ts";
import {
  countCpuList,
  parseCgroupPaths,
  parseCpuMax,
  parseForkCount,
  parseKeyValues,
  parseMeminfo,
  parseProcStat,
} from "./proc_parse.ts";

Deno.test("parseProcStat counts idle and iowait as not busy and counts online CPUs", () => {
  const text =
    "cpu  10 1 5 80 4 0 0 0 7 0\ncpu0 5 0 2 40 2 0 0 0 0 0\ncpu1 5 1 3 40 2 0 0 0 0 0\nintr 1\n";
  // guest (7) is already included in user, so it is not added again.
  assertEquals(parseProcStat(text), { busy: 16, total: 100, cpuCount: 2 });
});

Deno.test("parseMeminfo converts kB and falls back when MemAvailable is missing", () => {
  assertEquals(parseMeminfo("MemTotal: 100 kB\nMemAvailable: 40 kB\n"), {
    totalBytes: 102400,
    availableBytes: 40960,
  });
  assertEquals(
    parseMeminfo("MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n").availableBytes,
    35 * 1024,
  );
});

Deno.test("parseKeyValues reads memory.stat lines", () => {
  assertEquals(parseKeyValues("anon 5\ninactive_file 7\n").get("inactive_file"), 7);
});

Deno.test("parseCgroupPaths separates the v2 path from v1 controller paths", () => {
  const paths = parseCgroupPaths(
    "12:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/x\n0::/user.slice\n",
  );
  assertEquals(paths.unified, "/user.slice");
  assertEquals([
    paths.controllers.get("cpu"),
    paths.controllers.get("cpuacct"),
    paths.controllers.get("memory"),
  ], [
    "/docker/abc",
    "/docker/abc",
    "/docker/abc",
  ]);
});

Deno.test("countCpuList and parseCpuMax read cpuset ranges and quotas", () => {
  assertEquals(countCpuList("0-3,8,10-11\n"), 7);
  assertEquals(parseCpuMax("max 100000\n"), null);
  assertEquals(parseCpuMax("250000 100000\n"), 2.5);
});

Deno.test("parseForkCount reads the processes line of /proc/stat, null without one", () => {
  assertEquals(parseForkCount("cpu  1 2 3\nctxt 99\nprocesses 123456\nprocs_running 2\n"), 123456);
  assertEquals(parseForkCount("cpu  1 2 3\n"), null);
  const real = parseForkCount(Deno.readTextFileSync("/proc/stat"));
  if (real === null) throw new Error("this machine's /proc/stat has no processes line");
  new Deno.Command("true").outputSync();
  const after = parseForkCount(Deno.readTextFileSync("/proc/stat")) ?? 0;
  assertEquals(after > real, true, `a new process moves the counter: ${real} → ${after}`);
});
