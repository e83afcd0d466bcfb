import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { createLogger, silentLogger } from "../log/mod.ts";
import type { DiskFolder } from "../shared/disk_usage.ts";
import { ownFilesBytes } from "../shared/disk_usage.ts";
import {
  DiskSurvey,
  type DiskSurveyOptions,
  type MeasuredTree,
  measureTree,
  parseDuOutput,
} from "./disk_survey.ts";

const encoder = new TextEncoder();

/** A file of `bytes` random bytes (so no file system can store it sparse or compressed). */
async function writeRandom(path: string, bytes: number): Promise<void> {
  const data = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65536) crypto.getRandomValues(data.subarray(at, at + 65536));
  await Deno.writeFile(path, data);
}

/**
 * What a tree holds on the disk by our own walk (lstat's 512-byte blocks of every entry, the
 * folders themselves included, each inode once): what du must find.
 */
async function allocatedBytes(path: string, seen = new Set<number>()): Promise<number> {
  const info = await Deno.lstat(path);
  if (info.ino !== null && seen.has(info.ino)) return 0;
  if (info.ino !== null) seen.add(info.ino);
  let total = (info.blocks ?? 0) * 512;
  if (info.isDirectory) {
    for await (const entry of Deno.readDir(path)) {
      total += await allocatedBytes(`${path}/${entry.name}`, seen);
    }
  }
  return total;
}

function child(folder: DiskFolder | undefined, name: string): DiskFolder {
  const found = folder?.folders.find((f) => f.name === name);
  assert(found, `no folder ${name} in ${folder?.name}: ${folder?.folders.map((f) => f.name)}`);
  return found;
}

const WEIRD = "we\nird\tname é";

/** A data folder: an instance with an environment, outputs, a deep folder, links. */
async function sampleTree(): Promise<{ root: string; outside: string }> {
  const root = await Deno.makeTempDir({ prefix: "aikore-disk-" });
  const outside = await Deno.makeTempDir({ prefix: "aikore-disk-outside-" });
  await Deno.mkdir(`${root}/instances/comfy/env/lib/python3.12`, { recursive: true });
  await Deno.mkdir(`${root}/instances/comfy/logs`, { recursive: true });
  await Deno.mkdir(`${root}/outputs/comfy`, { recursive: true });
  await Deno.mkdir(`${root}/models/${WEIRD}`, { recursive: true });
  await writeRandom(`${root}/instances/comfy/env/lib/python3.12/torch.so`, 3 * 1048576);
  await writeRandom(`${root}/instances/comfy/logs/output.log`, 100_000);
  await writeRandom(`${root}/outputs/comfy/image.png`, 1048576);
  await writeRandom(`${root}/models/${WEIRD}/model.safetensors`, 2 * 1048576);
  await writeRandom(`${root}/aikore.db`, 200_000);
  // A model linked into the instance (as blueprints do) must not count twice, and a link to a
  // large file outside the data folder not at all.
  await Deno.symlink(`${root}/models`, `${root}/instances/comfy/models`);
  await writeRandom(`${outside}/huge.bin`, 4 * 1048576);
  await Deno.symlink(`${outside}/huge.bin`, `${root}/outputs/comfy/huge-link.bin`);
  return { root, outside };
}

Deno.test("measureTree finds what an independent walk finds, folder by folder, to its depth", async () => {
  const { root, outside } = await sampleTree();
  try {
    const { root: tree, unreadable } = await measureTree(root, 3, new AbortController().signal);
    assertEquals(unreadable, 0);
    assertEquals(tree.name, "");
    assertEquals(tree.bytes, await allocatedBytes(root));
    const instances = child(tree, "instances");
    const comfy = child(instances, "comfy");
    assertEquals(comfy.bytes, await allocatedBytes(`${root}/instances/comfy`));
    const env = child(comfy, "env");
    // Depth 3 stops at instances/comfy/env: its subfolders are counted in it, not listed.
    assertEquals(env.folders, []);
    assertEquals(env.bytes, await allocatedBytes(`${root}/instances/comfy/env`));
    assert(env.bytes >= 3 * 1048576);
    // A name with a newline, a tab and an accent comes through whole.
    const models = child(tree, "models");
    assertEquals(child(models, WEIRD).bytes, await allocatedBytes(`${root}/models/${WEIRD}`));
    // The link to the outside file counts as a link (no blocks), not as its 4 MiB target.
    const outputs = child(child(tree, "outputs"), "comfy");
    assert(outputs.bytes < 2 * 1048576, `outputs ${outputs.bytes}`);
    // Largest first; the files directly in the data folder are what the folders leave.
    assertEquals(tree.folders.map((f) => f.name), ["instances", "models", "outputs"]);
    assertEquals(
      ownFilesBytes(tree),
      tree.bytes - instances.bytes - models.bytes - child(tree, "outputs").bytes,
    );
    assert(ownFilesBytes(tree) >= 200_000);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("measureTree counts a file with two hard links once", async () => {
  const root = await Deno.makeTempDir({ prefix: "aikore-disk-" });
  try {
    await Deno.mkdir(`${root}/a`);
    await Deno.mkdir(`${root}/b`);
    await writeRandom(`${root}/a/weights.bin`, 2 * 1048576);
    await Deno.link(`${root}/a/weights.bin`, `${root}/b/weights.bin`);
    const { root: tree } = await measureTree(root, 1, new AbortController().signal);
    assertEquals(tree.bytes, await allocatedBytes(root));
    const [first, second] = tree.folders;
    assert(first && second);
    assert(first.bytes >= 2 * 1048576, "one folder holds the file");
    assert(second.bytes < 1048576, `the other only its link: ${second.bytes}`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("measureTree fails clearly on a folder that does not exist", async () => {
  const error = await measureTree("/nonexistent-aikore-disk", 1, new AbortController().signal)
    .then(() => null, (e: Error) => e);
  assert(error instanceof Deno.errors.NotFound, String(error));
});

Deno.test("parseDuOutput: children before parents, records outside the root or cut short dropped", () => {
  const records = [
    "10\t/d/a/x",
    "30\t/d/a",
    "5\t/d/b",
    "7\t/elsewhere",
    "oops",
    "60\t/d",
    "99\t/d/cut", // no NUL: cut by the output limit
  ];
  const output = encoder.encode(records.slice(0, 6).join("\0") + "\0" + records[6]);
  const tree = parseDuOutput("/d", output);
  assert(tree);
  assertEquals(tree.bytes, 60);
  assertEquals(tree.folders.map((f) => [f.name, f.bytes]), [["a", 30], ["b", 5]]);
  assertEquals(child(tree, "a").folders.map((f) => [f.name, f.bytes]), [["x", 10]]);
  assertEquals(ownFilesBytes(tree), 25);
  assertEquals(parseDuOutput("/d", encoder.encode("10\t/d/a\0")), null, "no root record");
});

const space = { blocks: 1000, bfree: 400, bavail: 300, bsize: 4096 };
const measuredTree = (bytes: number): MeasuredTree => ({
  root: { name: "", bytes, label: null, folders: [] },
  unreadable: 0,
});

/** A measurement the test ends by hand (or that ends when it is stopped). */
function heldMeasure() {
  const calls: AbortSignal[] = [];
  let finish: (value: MeasuredTree) => void = () => {};
  const measure = (_root: string, _depth: number, signal: AbortSignal) => {
    calls.push(signal);
    return new Promise<MeasuredTree>((resolve, reject) => {
      finish = resolve;
      signal.addEventListener("abort", () => reject(signal.reason));
    });
  };
  return { calls, measure, finish: (value: MeasuredTree) => finish(value) };
}

/** A survey of a pretend "/data" with the given measuring (and the fixed statfs above). */
function fakeSurvey(
  measure: DiskSurveyOptions["measure"],
  extra: Partial<DiskSurveyOptions> = {},
): DiskSurvey {
  return new DiskSurvey({
    dataDir: "/data",
    logger: silentLogger,
    statfs: () => Promise.resolve(space),
    ...(measure ? { measure } : {}),
    ...extra,
  });
}

Deno.test("DiskSurvey: one measurement at a time, a waiting read woken when it ends", async () => {
  const held = heldMeasure();
  const survey = fakeSurvey(held.measure);
  assertEquals(survey.report().state, "none");
  assertEquals(survey.report().root, null);
  const first = survey.measure();
  const second = survey.measure();
  assertEquals(held.calls.length, 1, "the second ask joins the running measurement");
  const measuring = survey.report();
  assertEquals(measuring.state, "measuring");
  const woken = survey.changed(measuring.version, 30_000);
  held.finish(measuredTree(12345));
  await Promise.all([first, second]);
  const report = await woken;
  assertEquals(report.state, "done");
  assertEquals(report.root?.bytes, 12345);
  assertEquals(report.disk, { total: 4096000, used: 2457600, free: 1228800 });
  assertEquals(report.problem, null);
  assertMatch(report.measured_at ?? "", /^\d{4}-\d\d-\d\dT/);
  assert((report.duration_ms ?? -1) >= 0);
  // A read of the current version waits; one of an older version answers at once.
  assertEquals((await survey.changed(measuring.version, 30_000)).version, report.version);
  const idle = await survey.changed(report.version, 1);
  assertEquals(idle.version, report.version);
  await survey.close();
});

Deno.test("DiskSurvey: a failure keeps the last figures, says why and is logged", async () => {
  const logs: string[] = [];
  let calls = 0;
  const survey = new DiskSurvey({
    dataDir: "/data",
    logger: createLogger("info", "test", (line) => logs.push(line)),
    statfs: () => Promise.resolve(space),
    measure: () => {
      calls++;
      return calls === 1
        ? Promise.resolve(measuredTree(500))
        : Promise.reject(new Error("du exited 2"));
    },
  });
  await survey.measure();
  await survey.measure();
  const report = survey.report();
  assertEquals(report.state, "failed");
  assertEquals(report.problem, "du exited 2");
  assertEquals(report.root?.bytes, 500, "the previous measurement is still shown");
  assertEquals(logs.length, 1);
  assertMatch(logs[0] ?? "", /disk usage measurement failed.*du exited 2/);
  await survey.close();
});

Deno.test("DiskSurvey: unreadable folders are named in the report", async () => {
  const survey = fakeSurvey(() => Promise.resolve({ ...measuredTree(1), unreadable: 2 }));
  await survey.measure();
  assertEquals(survey.report().state, "done");
  assertMatch(survey.report().problem ?? "", /^2 folder\(s\) could not be read/);
  await survey.close();
});

Deno.test("DiskSurvey: a measurement past its time is stopped and reported", async () => {
  const held = heldMeasure();
  const survey = fakeSurvey(held.measure, { timeoutMs: 20 });
  await survey.measure();
  assert(held.calls[0]?.aborted, "the measuring was told to stop");
  assertEquals(survey.report().state, "failed");
  assertEquals(survey.report().problem, "the measurement took too long and was stopped");
  await survey.close();
});

Deno.test("DiskSurvey: close stops a running measurement, and none starts after", async () => {
  const held = heldMeasure();
  const survey = fakeSurvey(held.measure);
  const running = survey.measure();
  const waiting = survey.changed(survey.report().version, 30_000);
  await survey.close();
  await running;
  assert(held.calls[0]?.aborted);
  assertEquals((await waiting).state, "failed");
  await survey.measure();
  assertEquals(held.calls.length, 1, "no measurement after close");
});

Deno.test("DiskSurvey measures a real folder with du", async () => {
  const { root, outside } = await sampleTree();
  try {
    const survey = new DiskSurvey({ dataDir: root, logger: silentLogger });
    await survey.measure();
    const report = survey.report();
    assertEquals(report.state, "done", report.problem ?? "");
    assertEquals(report.root?.bytes, await allocatedBytes(root));
    assert((report.disk?.total ?? 0) > 0 && (report.disk?.free ?? -1) >= 0);
    await survey.close();
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
