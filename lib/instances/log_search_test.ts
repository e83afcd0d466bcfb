import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { InstanceLogs } from "./instance_logs.ts";
import { InstancePaths } from "./instance_paths.ts";
import { seededRandom } from "../../tests/helpers/seeded_random.ts";

async function instanceWithLog(text: string, rotated: string[] = []) {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-logsearch-" });
  const paths = new InstancePaths(dataDir);
  await Deno.mkdir(paths.logsDir("app"), { recursive: true });
  await Deno.writeTextFile(paths.logFile("app"), text);
  for (const [i, old] of rotated.entries()) {
    await Deno.writeTextFile(`${paths.logFile("app")}.${i + 1}`, old);
  }
  return { dataDir, paths };
}

const SEED = 16;
Deno.test(`search streams the same lines as a whole-file reference (seed ${SEED})`, async () => {
  const next = seededRandom(SEED);
  const breaks = ["\n", "\r\n", "\r"];
  let text = "";
  for (let i = 0; i < 40_000; i++) {
    const roll = next();
    const body = roll < 0.01
      ? `x \x1b[1mNe\x1b[0medle ${i} ümlaut`
      : roll < 0.02
      ? `NEEDLE ${"y".repeat(Math.floor(next() * 3000))}`
      : `line ${i} ${"z".repeat(Math.floor(next() * 120))} é`;
    text += body + breaks[Math.floor(next() * 3)];
  }
  text += "last needle without a break";
  const { dataDir, paths } = await instanceWithLog(text, ["old needle\nnothing\n"]);
  try {
    const logs = new InstanceLogs(paths);
    const found = await logs.search("app", "NEEDLE", 5000);
    const reference = (name: string, content: string) =>
      content.split(/\r?\n|\r/).map((line, i) => ({
        file: name,
        line: i + 1,
        // deno-lint-ignore no-control-regex
        text: line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ""),
      })).filter((m) => m.text.toLowerCase().includes("needle"));
    const expected = [
      ...reference("output.log.1", "old needle\nnothing\n"),
      ...reference("output.log", text),
    ];
    assert(expected.length > 700, `${expected.length} expected matches`);
    assertEquals(found, expected);
    assertEquals((await logs.search("app", "needle", 3)).length, 3, "the limit stops the scan");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("searches beyond the bound wait, beyond the queue get 429, and free their slot", async () => {
  const { dataDir, paths } = await instanceWithLog("a needle\n".repeat(1000));
  try {
    const logs = new InstanceLogs(paths, 1, 1);
    const first = await logs.searchStream("app", "needle", 10_000);
    assertEquals((await first.matches.next()).value?.line, 1);
    let secondStarted = false;
    const second = logs.searchStream("app", "needle", 1).then((s) => {
      secondStarted = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 20));
    assertEquals(secondStarted, false, "the second waits for the slot");
    const third = await logs.searchStream("app", "needle", 1).catch((e) => e);
    assertEquals(third.kind, "busy", "mapped to 429 Too Many Requests");
    first.cancel(); // a client that went away
    const { matches } = await second;
    assertEquals((await matches.next()).value?.text, "a needle");
    assertEquals((await matches.next()).done, true);
    const body = await logs.searchJson("app", "needle", 2);
    assertEquals(JSON.parse(await new Response(body).text()).matches.length, 2);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
