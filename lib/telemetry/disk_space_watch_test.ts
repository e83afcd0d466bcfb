import { assertEquals } from "../../tests/helpers/assert.ts";
import { silentLogger } from "../log/mod.ts";
import { DiskSpaceWatch } from "./disk_space_watch.ts";

const GiB = 1024 ** 3;

Deno.test("a disk running low is told once, and again only after it had room again", async () => {
  const disk = { free: 50 * GiB };
  const told: number[] = [];
  const watch = new DiskSpaceWatch({
    path: "/data",
    logger: silentLogger,
    onLow: (free) => told.push(free / GiB),
    // a 100 GiB disk: low under 10 GiB free (10 %), room again above 15 GiB
    statfs: () =>
      Promise.resolve({ blocks: 100 * 1024 ** 2, bsize: 1024, bavail: disk.free / 1024 }),
  });
  for (const free of [50, 12, 9, 5, 9, 14, 9, 16, 8]) {
    disk.free = free * GiB;
    await watch.check();
  }
  assertEquals(told, [9, 8], "9: it fell low; 14 was not room enough; 16 was; then 8");
});

Deno.test("on a large disk 'low' is at most 20 GiB free; the real data dir can be looked at", async () => {
  const told: number[] = [];
  const watch = new DiskSpaceWatch({
    path: "/data",
    logger: silentLogger,
    onLow: (free) => told.push(free / GiB),
    statfs: () => Promise.resolve({ blocks: 4 * 1024 ** 3, bsize: 1024, bavail: 30 * 1024 ** 2 }),
  });
  await watch.check(); // 30 GiB free of 4 TiB: under 10 %, but not under 20 GiB
  assertEquals(told, []);
  const real = new DiskSpaceWatch({ path: Deno.cwd(), logger: silentLogger, onLow: () => {} });
  await real.check(); // statfs(2) itself: resolves
});
