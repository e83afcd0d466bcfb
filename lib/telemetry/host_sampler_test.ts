import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { HostSampler } from "./host_sampler.ts";
import { parseMeminfo, parseProcStat } from "./proc_parse.ts";

const FIXTURES = new URL("../../tests/fixtures/cgroup/", import.meta.url).pathname;
const GIB = 1024 ** 3;

async function copyFixtures(
  dir: string,
  cgroup: string,
): Promise<{ procRoot: string; cgroupRoot: string }> {
  const run = await new Deno.Command("cp", {
    args: ["-r", `${FIXTURES}proc`, `${FIXTURES}${cgroup}`, dir],
  }).output();
  assert(run.success, "copy fixtures");
  return { procRoot: `${dir}/proc`, cgroupRoot: `${dir}/${cgroup}` };
}

async function appendCpuTimes(procRoot: string, busy: number, idle: number) {
  const text = await Deno.readTextFile(`${procRoot}/stat`);
  const next = text.replace(
    /^cpu {2}(\d+) 0 (\d+) (\d+)/m,
    (_, user, system, idleOld) =>
      `cpu  ${Number(user) + busy} 0 ${system} ${Number(idleOld) + idle}`,
  );
  await Deno.writeTextFile(`${procRoot}/stat`, next);
}

const cases = [
  { cgroup: "v2-limited", source: "cgroup-v2", total: 4 * GIB, used: 2 * GIB, cpuCount: 1.5 },
  { cgroup: "v2-unlimited", source: "host", total: 16 * GIB, used: 4 * GIB, cpuCount: 4 },
  { cgroup: "v1-limited", source: "cgroup-v1", total: 2 * GIB, used: 1 * GIB, cpuCount: 2 },
  { cgroup: "v1-unlimited", source: "host", total: 16 * GIB, used: 4 * GIB, cpuCount: 4 },
] as const;

for (const c of cases) {
  Deno.test(`fixture ${c.cgroup}: memory from ${c.source} without page cache, ${c.cpuCount} effective CPUs`, async () => {
    const dataDir = await Deno.makeTempDir();
    try {
      const sampler = new HostSampler({
        dataDir,
        procRoot: `${FIXTURES}proc`,
        cgroupRoot: `${FIXTURES}${c.cgroup}`,
      });
      const sample = await sampler.sample();
      assertEquals(
        [sample.memorySource, sample.memoryTotalBytes, sample.memoryUsedBytes, sample.cpuCount],
        [c.source, c.total, c.used, c.cpuCount],
      );
      assertEquals(sample.loadAverage, [0.5, 0.25, 0.1]);
      assertEquals(sample.cpuPercent, 0, "no baseline on the first sample");
      assert(
        sample.diskTotalBytes > 0 && sample.diskFreeBytes <= sample.diskTotalBytes,
        JSON.stringify(sample),
      );
      assert(sample.diskUsedBytes <= sample.diskTotalBytes);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  });
}

Deno.test("limits changed at run time (docker update) show in the next sample", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const v2 = await copyFixtures(dir, "v2-limited");
    const sampler = new HostSampler({ dataDir: dir, ...v2 });
    assertEquals((await sampler.sample()).memoryTotalBytes, 4 * GIB);
    await Deno.writeTextFile(`${v2.cgroupRoot}/memory.max`, `${8 * GIB}\n`);
    await Deno.writeTextFile(`${v2.cgroupRoot}/cpu.max`, "max 100000\n");
    const sample = await sampler.sample();
    assertEquals([sample.memoryTotalBytes, sample.cpuCount], [8 * GIB, 4]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CPU% comes from /proc/stat deltas without a quota", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const roots = await copyFixtures(dir, "v2-unlimited");
    const sampler = new HostSampler({ dataDir: dir, ...roots });
    await sampler.sample();
    await appendCpuTimes(roots.procRoot, 300, 700);
    assertEquals((await sampler.sample()).cpuPercent, 30);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CPU% under a quota is the cgroup's usage over the quota (v2 and v1)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let clock = 0;
    const v2 = await copyFixtures(`${dir}`, "v2-limited");
    const sampler = new HostSampler({ dataDir: dir, ...v2, now: () => clock });
    await sampler.sample();
    clock += 1000;
    // 0.75 CPU seconds in 1 s against a 1.5-core quota.
    await Deno.writeTextFile(`${v2.cgroupRoot}/cpu.stat`, "usage_usec 5750000\n");
    await appendCpuTimes(v2.procRoot, 100, 900);
    assertEquals((await sampler.sample()).cpuPercent, 50);

    await Deno.mkdir(`${dir}/b`);
    const v1 = await copyFixtures(`${dir}/b`, "v1-limited");
    const v1Sampler = new HostSampler({ dataDir: dir, ...v1, now: () => clock });
    await v1Sampler.sample();
    clock += 2000;
    // 3 CPU seconds in 2 s against a 2-core quota.
    await Deno.writeTextFile(`${v1.cgroupRoot}/cpu,cpuacct/aikore/cpuacct.usage`, "13000000000\n");
    assertEquals((await v1Sampler.sample()).cpuPercent, 75);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("this machine's real /proc and cgroup files give consistent figures", async () => {
  const dataDir = await Deno.makeTempDir();
  const busy = new Deno.Command("python3", {
    args: ["-c", "import time\nt=time.time()\nwhile time.time()-t<0.4: pass"],
  })
    .spawn();
  try {
    const sampler = new HostSampler({ dataDir });
    await sampler.sample();
    await busy.status;
    const sample = await sampler.sample();
    const meminfo = parseMeminfo(await Deno.readTextFile("/proc/meminfo"));
    const online = parseProcStat(await Deno.readTextFile("/proc/stat")).cpuCount;
    if (sample.memorySource === "host") {
      assertEquals(sample.memoryTotalBytes, meminfo.totalBytes);
    } else {
      assert(sample.memoryTotalBytes < meminfo.totalBytes, "a cgroup limit below the host's RAM");
    }
    assert(
      sample.memoryUsedBytes > 0 && sample.memoryUsedBytes <= sample.memoryTotalBytes,
      JSON.stringify(sample),
    );
    assert(sample.cpuCount > 0 && sample.cpuCount <= online, JSON.stringify(sample));
    assert(
      sample.cpuPercent > 5 && sample.cpuPercent <= 100,
      `a busy child shows: ${sample.cpuPercent}`,
    );
    assert(sample.loadAverage.every((v) => Number.isFinite(v) && v >= 0), `${sample.loadAverage}`);
  } finally {
    await busy.status;
    await Deno.remove(dataDir, { recursive: true });
  }
});
