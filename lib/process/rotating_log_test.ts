import { equal, ok, throws } from "node:assert/strict";
import { RotatingLog } from "./rotating_log.ts";

const fill = (size: number, byte: number) => new Uint8Array(size).fill(byte);

Deno.test("rotates at the cap and keeps only `keep` old files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new RotatingLog(`${dir}/out.log`, { maxBytes: 1024, keep: 2 });
    for (const byte of [0x61, 0x62, 0x63, 0x64]) log.write(fill(1000, byte));
    log.write(fill(100, 0x65));
    await log.close();
    const read = (suffix: string) => Deno.readTextFileSync(`${dir}/out.log${suffix}`);
    // 4100 bytes in 1024-byte files: four full files and 4 bytes; only two old files remain.
    equal(read(""), "eeee");
    equal(read(".1"), "d".repeat(928) + "e".repeat(96));
    equal(read(".2"), "c".repeat(952) + "d".repeat(72));
    throws(() => Deno.statSync(`${dir}/out.log.3`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("keep = 0 truncates instead of keeping old files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new RotatingLog(`${dir}/out.log`, { maxBytes: 1024, keep: 0 });
    log.write(fill(3000, 0x61));
    await log.close();
    equal(Deno.statSync(`${dir}/out.log`).size, 3000 - 2048);
    equal([...Deno.readDirSync(dir)].length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("output beyond the pending limit is dropped and the drop is noted in the log", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new RotatingLog(`${dir}/out.log`, { maxBytes: 1 << 20, maxPendingBytes: 4096 });
    log.write(fill(4000, 0x61)); // starts the first write
    log.write(fill(4000, 0x62)); // queued
    log.write(fill(4000, 0x63)); // over the limit: dropped
    equal(log.droppedBytes, 4000);
    await log.flush();
    log.write(fill(10, 0x64));
    await log.close();
    const text = Deno.readTextFileSync(`${dir}/out.log`);
    ok(text.includes("[aikore] 4000 bytes of output were dropped"));
    ok(!text.includes("c"));
    log.write(fill(10, 0x65)); // after close: ignored, no throw
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad size cap is refused", () => {
  throws(() => new RotatingLog("/tmp/never.log", { maxBytes: 10 }), RangeError);
  throws(() => new RotatingLog("/tmp/never.log", { keep: -1 }), RangeError);
});
