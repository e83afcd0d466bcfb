import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { ModelDownloadRepository, openDatabase } from "../db/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { DomainError } from "../shared/domain_error.ts";
import {
  downloadAddress,
  type ModelDownloadList,
  type ModelDownloadView,
} from "../shared/model_download.ts";
import { createHash } from "node:crypto";
import { statfs } from "node:fs/promises";
import { ModelDownloads, type ModelDownloadsOptions } from "./model_downloads.ts";
import { keptFreeBytes } from "./transfer.ts";
import { type FileServer, payloadOf, serveFile } from "./test_support.ts";

const MIB = 1024 * 1024;

/** The DomainError `work` throws (or rejects with). */
async function domainErrorOf(work: () => unknown): Promise<DomainError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("no error was thrown");
}

interface Setup {
  dir: string;
  root: string;
  dbPath: string;
  server: FileServer;
  open(options?: Partial<ModelDownloadsOptions>): ModelDownloads;
  [Symbol.asyncDispose](): Promise<void>;
}

async function setup(size = 3 * MIB): Promise<Setup> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-downloads-" });
  const root = `${dir}/models`;
  await Deno.mkdir(`${root}/checkpoints`, { recursive: true });
  const dbPath = `${dir}/aikore.db`;
  const server = serveFile(payloadOf(size));
  const opened: { manager: ModelDownloads; close: () => void }[] = [];
  return {
    dir,
    root,
    dbPath,
    server,
    open(options = {}) {
      const db = openDatabase(dbPath);
      const manager = new ModelDownloads({
        root,
        repository: new ModelDownloadRepository(db),
        logger: silentLogger,
        retryDelaysMs: [20, 20, 20],
        progressEveryMs: 20,
        ...options,
      });
      opened.push({ manager, close: () => db.close() });
      return manager;
    },
    async [Symbol.asyncDispose]() {
      for (const { manager, close } of opened) {
        manager.stop();
        close();
      }
      await server.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Waits (on the list's own change signal) until `check` holds for download `id`. */
async function until(
  manager: ModelDownloads,
  id: number,
  check: (view: ModelDownloadView) => boolean,
  what: string,
): Promise<ModelDownloadView> {
  const deadline = Date.now() + 15_000;
  let list: ModelDownloadList = manager.list();
  for (;;) {
    const view = list.downloads.find((d) => d.id === id);
    if (view && check(view)) return view;
    if (Date.now() > deadline) {
      throw new Error(`download ${id} never ${what}: ${JSON.stringify(view)}`);
    }
    list = await manager.listWaiting(list.version, 1000, new AbortController().signal);
  }
}

const isDone = (view: ModelDownloadView) => view.status === "done";

async function partFiles(folder: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    if (entry.name.endsWith(".part")) names.push(entry.name);
  }
  return names;
}

Deno.test("a download lands under the address's file name, whole, with no part file left", async () => {
  await using s = await setup();
  const manager = s.open();
  await manager.start();
  const added = await manager.add({
    url: `${s.server.url}/org/model/resolve/main/unet%20fp16.safetensors?download=true`,
    folder: "checkpoints",
  });
  assertEquals(added.status, "downloading");
  assertEquals(added.source, `${s.server.url}/org/model/resolve/main/unet%20fp16.safetensors`);
  const done = await until(manager, added.id, isDone, "finished");
  assertEquals(done.name, "unet fp16.safetensors");
  assertEquals([done.bytes, done.total], [3 * MIB, 3 * MIB]);
  assert(done.finished_at !== null);
  assertEquals(
    await Deno.readFile(`${s.root}/checkpoints/unet fp16.safetensors`),
    s.server.payload,
  );
  assertEquals(await partFiles(`${s.root}/checkpoints`), []);
  assertEquals(s.server.requests.map((r) => r.range), [null]);
});

Deno.test("the server's Content-Disposition names the file (UTF-8 filename*), never a path", async () => {
  await using s = await setup(MIB);
  const manager = s.open();
  await manager.start();
  s.server.behaviour.disposition =
    `attachment; filename="fallback.bin"; filename*=UTF-8''mod%C3%A8le%20v2.safetensors`;
  const first = await manager.add({ url: `${s.server.url}/api/download/models/123`, folder: "" });
  assertEquals((await until(manager, first.id, isDone, "finished")).name, "modèle v2.safetensors");
  s.server.behaviour.disposition = `attachment; filename="../../escape.bin"`;
  const second = await manager.add({ url: `${s.server.url}/api/download/models/456`, folder: "" });
  // A name with a folder in it is not taken: the address's last segment is.
  assertEquals((await until(manager, second.id, isDone, "finished")).name, "456");
  assertEquals(await Deno.readFile(`${s.root}/456`), s.server.payload);
});

Deno.test("a broken connection goes on from the byte it stopped at (an HTTP range)", async () => {
  await using s = await setup();
  s.server.behaviour.breakAfter = [MIB + 12345, 7];
  const manager = s.open();
  await manager.start();
  const added = await manager.add({ url: `${s.server.url}/file.bin`, folder: "" });
  await until(manager, added.id, isDone, "finished");
  assertEquals(await Deno.readFile(`${s.root}/file.bin`), s.server.payload);
  assertEquals(s.server.requests.map((r) => r.range), [
    null,
    `bytes=${MIB + 12345}-`,
    `bytes=${MIB + 12345 + 7}-`,
  ]);
});

Deno.test("a server that goes silent without closing is cut and tried again from where it stopped", async () => {
  await using s = await setup();
  s.server.behaviour.holdAfter = MIB; // each answer sends 1 MiB, then nothing, connection open
  // Retries wait 400 ms, so the "retrying" state is seen (each lasts that long).
  const manager = s.open({ silenceMs: 300, retryDelaysMs: [400, 400, 400] });
  await manager.start();
  const added = await manager.add({ url: `${s.server.url}/stuck.bin`, folder: "" });
  const retrying = await until(manager, added.id, (v) => v.status === "retrying", "retried");
  assertEquals(retrying.message, "the connection broke: nothing for 0.3 s; trying again in 1 s");
  await until(manager, added.id, isDone, "finished");
  assertEquals(await Deno.readFile(`${s.root}/stuck.bin`), s.server.payload);
  assertEquals(s.server.requests.map((r) => r.range), [null, `bytes=${MIB}-`, `bytes=${2 * MIB}-`]);
});

Deno.test("a server that ignores ranges: the part file starts over, and the file is right", async () => {
  await using s = await setup();
  s.server.behaviour.breakAfter = [MIB];
  s.server.behaviour.ignoreRange = true;
  const manager = s.open();
  await manager.start();
  const added = await manager.add({ url: `${s.server.url}/file.bin`, folder: "" });
  await until(manager, added.id, isDone, "finished");
  assertEquals(await Deno.readFile(`${s.root}/file.bin`), s.server.payload);
  assertEquals(s.server.requests.map((r) => r.range), [null, `bytes=${MIB}-`]);
});

Deno.test("a restart of AiKore goes on with the download from its part file", async () => {
  await using s = await setup();
  s.server.behaviour.holdAfter = 2 * MIB;
  const before = s.open();
  await before.start();
  const added = await before.add({ url: `${s.server.url}/big.safetensors`, folder: "checkpoints" });
  await until(before, added.id, (v) => v.bytes === 2 * MIB, "got its first 2 MiB");
  before.stop(); // AiKore goes (its transfers are cut)
  s.server.behaviour.holdAfter = null;
  const after = s.open();
  await after.start();
  const done = await until(after, added.id, isDone, "finished after the restart");
  assertEquals(done.bytes, 3 * MIB);
  assertEquals(await Deno.readFile(`${s.root}/checkpoints/big.safetensors`), s.server.payload);
  assertEquals(s.server.requests.map((r) => r.range), [null, `bytes=${2 * MIB}-`]);
});

Deno.test("a token goes to the server as a bearer, is never stored, and is asked for again after a restart", async () => {
  await using s = await setup();
  s.server.behaviour.holdAfter = MIB;
  const before = s.open();
  await before.start();
  const token = "hf_secret_token_123";
  const added = await before.add({ url: `${s.server.url}/gated.bin`, folder: "", token });
  assertEquals(added.needs_token, false);
  await until(before, added.id, (v) => v.bytes === MIB, "got its first MiB");
  before.stop();
  const db = await Deno.readFile(s.dbPath);
  const wal = await Deno.readFile(`${s.dbPath}-wal`).catch(() => new Uint8Array());
  for (const bytes of [db, wal]) {
    assert(
      !new TextDecoder("latin1").decode(bytes).includes(token),
      "the token is in the database",
    );
  }
  s.server.behaviour.holdAfter = null;
  const after = s.open();
  await after.start();
  const paused = after.list().downloads[0] as ModelDownloadView;
  assertEquals([paused.status, paused.needs_token, paused.bytes], ["paused", true, MIB]);
  const error = await domainErrorOf(() => after.resume(added.id));
  assertEquals(error.details, [{
    field: "token",
    reason: "this download was given a token: give it again to go on",
  }]);
  after.resume(added.id, token);
  await until(after, added.id, isDone, "finished with the token given again");
  assertEquals(s.server.requests.map((r) => [r.range, r.authorization]), [
    [null, `Bearer ${token}`],
    [`bytes=${MIB}-`, `Bearer ${token}`],
  ]);
});

Deno.test("a token does not follow a redirect to another origin", async () => {
  await using s = await setup(MIB);
  const cdn = serveFile(s.server.payload);
  try {
    s.server.behaviour.redirectTo = cdn.url;
    const manager = s.open();
    await manager.start();
    const added = await manager.add({
      url: `${s.server.url}/moved/weights.bin`,
      folder: "",
      token: "secret",
    });
    await until(manager, added.id, isDone, "finished");
    assertEquals(s.server.requests[0]?.authorization, "Bearer secret");
    assertEquals(cdn.requests.map((r) => [r.path, r.authorization]), [["/weights.bin", null]]);
    assertEquals(await Deno.readFile(`${s.root}/weights.bin`), s.server.payload);
  } finally {
    await cdn.close();
  }
});

Deno.test("the SHA-256 a redirect announces is checked: a match is done, a mismatch removed", async () => {
  await using s = await setup(MIB);
  const cdn = serveFile(s.server.payload);
  try {
    s.server.behaviour.redirectTo = cdn.url;
    const sha256 = createHash("sha256").update(s.server.payload).digest("hex");
    s.server.behaviour.linkedEtag = `"${sha256}"`;
    const manager = s.open();
    await manager.start();
    const good = await manager.add({ url: `${s.server.url}/moved/good.safetensors`, folder: "" });
    const done = await until(manager, good.id, isDone, "finished");
    assertEquals(done.sha256, sha256);
    assertEquals(await Deno.readFile(`${s.root}/good.safetensors`), s.server.payload);

    s.server.behaviour.linkedEtag = `"${"0".repeat(64)}"`;
    const bad = await manager.add({ url: `${s.server.url}/moved/bad.safetensors`, folder: "" });
    const failed = await until(manager, bad.id, (v) => v.status === "failed", "failed");
    assertEquals(
      failed.message,
      `the file does not match the SHA-256 the server announced (000000000000…, got ${
        sha256.slice(0, 12)
      }…): it was removed, Resume downloads it again`,
    );
    assertEquals(failed.bytes, 0);
    assertEquals(await partFiles(s.root), []);
    assertEquals(await Deno.lstat(`${s.root}/bad.safetensors`).catch(() => null), null);
  } finally {
    await cdn.close();
  }
});

Deno.test("refusals fail with the server's answer; busy servers are tried again, then given up", async () => {
  await using s = await setup(MIB);
  const told: string[] = [];
  const manager = s.open({ onOutcome: (d) => told.push(`${d.id} ${d.status}`) });
  await manager.start();
  s.server.behaviour.status = 404;
  const missing = await manager.add({ url: `${s.server.url}/missing.bin`, folder: "" });
  const failed = await until(manager, missing.id, (v) => v.status === "failed", "failed");
  assertEquals(failed.message, "the server answered 404 Not Found");
  s.server.behaviour.status = 401;
  const gated = await manager.add({ url: `${s.server.url}/gated.bin`, folder: "" });
  const refused = await until(manager, gated.id, (v) => v.status === "failed", "failed");
  assert(
    refused.message?.includes("401") && refused.message.includes("token"),
    refused.message ?? "",
  );
  const tries = s.server.requests.length;
  s.server.behaviour.status = 503;
  const busy = await manager.add({ url: `${s.server.url}/busy.bin`, folder: "" });
  const gaveUp = await until(manager, busy.id, (v) => v.status === "failed", "gave up");
  assertEquals(
    gaveUp.message,
    "the server answered 503 Service Unavailable (gave up after 4 tries)",
  );
  assertEquals(s.server.requests.length - tries, 4); // the first try and three retries
  // The server is back: Resume goes on.
  s.server.behaviour.status = null;
  manager.resume(busy.id);
  await until(manager, busy.id, isDone, "finished after Resume");
  assertEquals(await Deno.readFile(`${s.root}/busy.bin`), s.server.payload);
  // Told once per outcome: not at each retry.
  assertEquals(told, ["1 failed", "2 failed", "3 failed", "3 done"]);
});

Deno.test("a file the disk has no room for fails before a byte is written", async () => {
  await using s = await setup(MIB);
  const space = await statfs(s.root);
  const free = space.bavail * space.bsize;
  const kept = keptFreeBytes(space.blocks * space.bsize);
  // More than the disk can take once AiKore's kept free space is left aside.
  s.server.behaviour.claimedSize = free - kept + 1024 ** 3;
  const manager = s.open();
  await manager.start();
  const added = await manager.add({ url: `${s.server.url}/huge.safetensors`, folder: "" });
  const failed = await until(manager, added.id, (v) => v.status === "failed", "failed");
  assertMatch(
    failed.message ?? "",
    /^not enough free space: it needs [\d.]+ [KMGTP]?B more and the disk has [\d.]+ [KMGTP]?B free, of which AiKore keeps [\d.]+ [KMGTP]?B for the apps$/,
  );
  assertEquals(failed.bytes, 0);
  assertEquals((await Deno.stat(`${s.root}/.aikore-download-${added.id}.part`)).size, 0);
  // What fits goes through.
  s.server.behaviour.claimedSize = null;
  manager.resume(added.id);
  await until(manager, added.id, isDone, "finished");
  assertEquals(await Deno.readFile(`${s.root}/huge.safetensors`), s.server.payload);
});

Deno.test("a web page in place of a file fails with what to give instead", async () => {
  await using s = await setup(MIB);
  s.server.behaviour.contentType = "text/html; charset=utf-8";
  const manager = s.open();
  await manager.start();
  const added = await manager.add({ url: `${s.server.url}/login`, folder: "" });
  const failed = await until(manager, added.id, (v) => v.status === "failed", "failed");
  assertEquals(
    failed.message,
    "the address answered a web page, not a file: give the file's download link",
  );
  assertEquals(failed.bytes, 0);
});

Deno.test("a Hugging Face file page is fetched by its download link", () => {
  const cases: [string, string][] = [
    [
      "https://huggingface.co/org/repo/blob/main/unet/model.safetensors?x=1",
      "https://huggingface.co/org/repo/resolve/main/unet/model.safetensors?x=1",
    ],
    [
      "https://huggingface.co/datasets/org/set/blob/v1.0/data.parquet",
      "https://huggingface.co/datasets/org/set/resolve/v1.0/data.parquet",
    ],
    [
      "https://huggingface.co/org/repo/resolve/main/model.safetensors",
      "https://huggingface.co/org/repo/resolve/main/model.safetensors",
    ],
    [
      "https://example.com/org/repo/blob/main/x.bin",
      "https://example.com/org/repo/blob/main/x.bin",
    ],
  ];
  for (const [pasted, fetched] of cases) assertEquals(downloadAddress(pasted), fetched, pasted);
});

Deno.test("a file already there is never overwritten", async () => {
  await using s = await setup(MIB);
  await Deno.writeTextFile(`${s.root}/checkpoints/taken.bin`, "mine");
  const manager = s.open();
  await manager.start();
  // Named by the user: refused at once.
  const error = await domainErrorOf(() =>
    manager.add({ url: `${s.server.url}/x.bin`, folder: "checkpoints", name: "taken.bin" })
  );
  assertEquals(error.kind, "conflict");
  assertEquals(manager.list().downloads, []);
  // Named by the address: it fails when the name is known, and the file is untouched.
  const added = await manager.add({ url: `${s.server.url}/taken.bin`, folder: "checkpoints" });
  const failed = await until(manager, added.id, (v) => v.status === "failed", "failed");
  assertEquals(failed.message, "models/checkpoints/taken.bin exists already");
  assertEquals(await Deno.readTextFile(`${s.root}/checkpoints/taken.bin`), "mine");
});

Deno.test("pause keeps the bytes, resume goes on, remove takes the part file away", async () => {
  await using s = await setup();
  s.server.behaviour.holdAfter = MIB;
  const manager = s.open();
  await manager.start();
  const added = await manager.add({ url: `${s.server.url}/paused.bin`, folder: "" });
  await until(manager, added.id, (v) => v.bytes === MIB, "got its first MiB");
  assertEquals(manager.pause(added.id).status, "paused");
  assertEquals((await Deno.stat(`${s.root}/.aikore-download-${added.id}.part`)).size, MIB);
  assertEquals((await domainErrorOf(() => manager.pause(added.id))).kind, "conflict");
  s.server.behaviour.holdAfter = null;
  manager.resume(added.id);
  await until(manager, added.id, isDone, "finished after Resume");
  assertEquals(await Deno.readFile(`${s.root}/paused.bin`), s.server.payload);
  assertEquals(s.server.requests.map((r) => r.range), [null, `bytes=${MIB}-`]);

  s.server.behaviour.holdAfter = MIB;
  const second = await manager.add({ url: `${s.server.url}/removed.bin`, folder: "" });
  await until(manager, second.id, (v) => v.bytes === MIB, "got its first MiB");
  await manager.remove(second.id);
  assertEquals(await partFiles(s.root), []);
  assertEquals(manager.list().downloads.map((d) => d.id), [added.id]);
  await manager.remove(added.id); // a finished one leaves the list; its file stays
  assertEquals(manager.list().downloads, []);
  assertEquals((await Deno.stat(`${s.root}/paused.bin`)).size, 3 * MIB);
});

Deno.test("a link planted at the part file's place is not written through", async () => {
  await using s = await setup(MIB);
  await Deno.writeTextFile(`${s.dir}/secret`, "keep");
  await Deno.symlink(`${s.dir}/secret`, `${s.root}/.aikore-download-1.part`);
  const manager = s.open();
  await manager.start();
  const added = await manager.add({ url: `${s.server.url}/x.bin`, folder: "" });
  assertEquals(added.id, 1);
  const failed = await until(manager, added.id, (v) => v.status === "failed", "failed");
  assert(failed.message?.startsWith("cannot write in models/"), failed.message ?? "");
  assertEquals(await Deno.readTextFile(`${s.dir}/secret`), "keep");
});

Deno.test("the rate is the bytes of the last seconds over their time, from a few samples a second", async () => {
  await using s = await setup();
  s.server.behaviour.holdAfter = MIB;
  let clock = Date.parse("2026-12-07T10:00:00Z");
  const manager = s.open({ now: () => new Date(clock) });
  await manager.start();
  const added = await manager.add({ url: `${s.server.url}/rate.bin`, folder: "" });
  const held = await until(manager, added.id, (v) => v.bytes === MIB, "got its first MiB");
  assertEquals(held.rate, null, "under half a second of samples: no rate yet");
  clock += 2000;
  const view = manager.list().downloads[0] as ModelDownloadView;
  // One sample at the start (0 bytes), all at the same instant: 1 MiB in 2 s.
  assertEquals(view.rate, MIB / 2);
});

Deno.test("no more than two run at once; the others wait their turn", async () => {
  await using s = await setup(MIB);
  s.server.behaviour.holdAfter = 1000;
  const manager = s.open();
  await manager.start();
  const ids: number[] = [];
  for (const name of ["a", "b", "c"]) {
    ids.push((await manager.add({ url: `${s.server.url}/${name}.bin`, folder: "" })).id);
  }
  await until(manager, ids[1] as number, (v) => v.bytes === 1000, "started");
  assertEquals(manager.list().downloads.map((d) => d.status), [
    "queued",
    "downloading",
    "downloading",
  ]);
  s.server.behaviour.holdAfter = null;
  s.server.release();
  for (const id of ids) await until(manager, id, isDone, "finished");
  for (const name of ["a", "b", "c"]) {
    assertEquals(await Deno.readFile(`${s.root}/${name}.bin`), s.server.payload);
  }
});
