import { assertEquals } from "../../tests/helpers/assert.ts";
import { parseAuxv, parsePidStat, parsePidStatBytes } from "./pid_stat.ts";

Deno.test("parsePidStat handles a comm with spaces and parentheses", () => {
  const text =
    "77 (my (odd) cmd) S 12 77 77 0 -1 4194560 100 0 0 0 30 20 5 1 20 0 3 0 9999 1000000 2048 184467\n";
  assertEquals(parsePidStat(text), {
    pid: 77,
    comm: "my (odd) cmd",
    state: "S",
    ppid: 12,
    pgid: 77,
    sid: 77,
    ticks: 56,
    startTicks: 9999,
    rssPages: 2048,
  });
  assertEquals(parsePidStat(""), null);
  assertEquals(parsePidStat("12 (x) S 1 2"), null, "truncated");
  assertEquals(
    parsePidStat("nope (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21"),
    null,
    "not a pid",
  );
});

Deno.test("parseAuxv reads AT_PAGESZ and AT_CLKTCK up to AT_NULL", () => {
  const words = [6n, 16384n, 17n, 250n, 0n, 0n, 6n, 1n];
  const bytes = new Uint8Array(words.length * 8);
  words.forEach((w, i) => new DataView(bytes.buffer).setBigUint64(i * 8, w, true));
  assertEquals(parseAuxv(bytes), { pageSize: 16384, clockTicks: 250 });
  assertEquals(parseAuxv(new Uint8Array(0)), { pageSize: 4096, clockTicks: 100 });
});

Deno.test("parsePidStatBytes agrees with parsePidStat on every visible process, ours included", async () => {
  // Only processes this test starts are required to be seen: a container's own PID namespace
  // may show a handful of processes, and nothing else must be assumed about the machine.
  const dir = await Deno.makeTempDir({ prefix: "aikore-pidstat-" });
  const oddName = `${dir}/odd (name) x`;
  Deno.copyFileSync("/bin/sleep", oddName);
  Deno.chmodSync(oddName, 0o755);
  const children = [
    new Deno.Command("sleep", { args: ["30"] }).spawn(),
    new Deno.Command(oddName, { args: ["30"] }).spawn(),
  ];
  try {
    const encoder = new TextEncoder();
    const compared = new Set<number>();
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      let text: string;
      try {
        text = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      } catch {
        continue; // exited meanwhile
      }
      const bytes = encoder.encode(text);
      const parsed = parsePidStat(text);
      const expected = parsed &&
        {
          ppid: parsed.ppid,
          ticks: parsed.ticks,
          startTicks: parsed.startTicks,
          rssPages: parsed.rssPages,
        };
      assertEquals(parsePidStatBytes(bytes, bytes.byteLength), expected, text);
      compared.add(Number(entry.name));
    }
    for (const pid of [Deno.pid, ...children.map((c) => c.pid)]) {
      assertEquals(compared.has(pid), true, `process ${pid} was compared`);
    }
    assertEquals(
      parsePidStat(Deno.readTextFileSync(`/proc/${children[1]?.pid}/stat`))?.comm,
      "odd (name) x",
    );
  } finally {
    for (const child of children) {
      child.kill("SIGKILL");
      await child.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parsePidStatBytes reads signed fields, an odd comm, and rejects short lines", () => {
  const text =
    "77 (a) b (c) S 12 77 77 0 -1 4194560 100 0 0 0 30 20 -5 1 20 0 3 0 9999 1000000 2048 18\n";
  const bytes = new TextEncoder().encode(text + "garbage after the length");
  assertEquals(parsePidStatBytes(bytes, text.length), {
    ppid: 12,
    ticks: 46,
    startTicks: 9999,
    rssPages: 2048,
  });
  const short = new TextEncoder().encode("77 (a) S 12 77 77 0 -1 4194560 100 0 0 0 30 20\n");
  assertEquals(parsePidStatBytes(short, short.byteLength), null);
  const bad = new TextEncoder().encode(text.replace(" 2048 ", " 20x8 "));
  assertEquals(parsePidStatBytes(bad, bad.byteLength), null);
  assertEquals(parsePidStatBytes(new Uint8Array(0), 0), null);
});
