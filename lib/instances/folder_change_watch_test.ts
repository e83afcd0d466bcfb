import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { FolderChangeWatch } from "./folder_change_watch.ts";

/** Longer than any test here takes: a wait that ends says a change (or an abort) ended it. */
const LONG_MS = 60_000;

async function withFolder(run: (folder: string) => Promise<void>): Promise<void> {
  const folder = await Deno.makeTempDir({ prefix: "aikore-logwatch-" });
  try {
    await run(folder);
  } finally {
    await Deno.remove(folder, { recursive: true }).catch(() => {});
  }
}

Deno.test("a wait ends when a file of the folder is written, and the watch goes with the last waiter", async () => {
  await withFolder(async (folder) => {
    const changes = new FolderChangeWatch();
    const first = changes.watch(folder);
    const second = changes.watch(folder);
    assert(first && second);
    assertEquals(changes.watchedFolders, 1, "one watch for every waiter of a folder");
    const never = new AbortController();
    const waits = [first.until(LONG_MS, never.signal), second.until(LONG_MS, never.signal)];
    await Deno.writeTextFile(`${folder}/output.log`, "a line\n", { append: true });
    assertEquals(await Promise.all(waits), [true, true]);
    first.release();
    assertEquals(changes.watchedFolders, 1);
    second.release();
    assertEquals(changes.watchedFolders, 0);
  });
});

Deno.test("a change between watch and wait is not missed; a wait without one times out or aborts", async () => {
  await withFolder(async (folder) => {
    const changes = new FolderChangeWatch();
    const wait = changes.watch(folder);
    assert(wait);
    const never = new AbortController();
    // The write lands while nobody waits yet: the next wait sees it at once.
    await Deno.writeTextFile(`${folder}/output.log`, "early\n");
    assertEquals(await wait.until(LONG_MS, never.signal), true);
    wait.release();
    wait.release(); // twice is harmless
    assertEquals(changes.watchedFolders, 0);
    // A folder nobody writes: the wait ends by its time, or by its signal.
    await Deno.mkdir(`${folder}/quiet`);
    const quiet = changes.watch(`${folder}/quiet`);
    assert(quiet);
    assertEquals(await quiet.until(20, never.signal), false, "nothing changed: a timeout");
    const abort = new AbortController();
    const aborted = quiet.until(LONG_MS, abort.signal);
    abort.abort();
    assertEquals(await aborted, false);
    quiet.release();
  });
});

Deno.test("a rotation (a new file renamed in) wakes a waiter; a removed folder ends its watch", async () => {
  await withFolder(async (folder) => {
    const changes = new FolderChangeWatch();
    await Deno.writeTextFile(`${folder}/output.log`, "run 1\n");
    const wait = changes.watch(folder);
    assert(wait);
    const never = new AbortController();
    const rotated = wait.until(LONG_MS, never.signal);
    await Deno.rename(`${folder}/output.log`, `${folder}/output.log.1`);
    assertEquals(await rotated, true);
    const removed = wait.until(LONG_MS, never.signal);
    await Deno.remove(folder, { recursive: true });
    assertEquals(await removed, true, "the waiter reads again and finds the log gone");
    wait.release();
    assertEquals(changes.watchedFolders, 0);
  });
});

Deno.test("no watch for a missing folder or beyond the bound on watched folders", async () => {
  await withFolder(async (folder) => {
    const changes = new FolderChangeWatch(1);
    assertEquals(changes.watch(`${folder}/missing`), null);
    await Deno.mkdir(`${folder}/a`);
    await Deno.mkdir(`${folder}/b`);
    const a = changes.watch(`${folder}/a`);
    assert(a);
    assertEquals(changes.watch(`${folder}/b`), null, "a second folder is over the bound of 1");
    const again = changes.watch(`${folder}/a`);
    assert(again, "another waiter of a watched folder shares its watch");
    a.release();
    again.release();
    const b = changes.watch(`${folder}/b`);
    assert(b, "the bound counts folders watched now");
    b.release();
  });
});
