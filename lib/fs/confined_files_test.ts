import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/helpers/assert.ts";
import { useFallbackForTests } from "./confined_libc.ts";
import {
  hasOpenat2,
  lstatBeneath,
  mkdirBeneath,
  openBeneathSync,
  readPartBeneathSync,
  readTextBeneath,
  removeBeneath,
  renameBeneath,
  writeBeneath,
} from "./mod.ts";

async function fixture() {
  const root = await Deno.makeTempDir({ prefix: "aikore-fs-" });
  const outside = await Deno.makeTempDir({ prefix: "aikore-fs-out-" });
  await Deno.writeTextFile(`${outside}/canary`, "canary");
  await Deno.symlink(`${outside}/canary`, `${root}/file-link`);
  await Deno.symlink(outside, `${root}/dir-link`);
  await Deno.symlink(`${outside}/missing`, `${root}/dangling`);
  await Deno.mkdir(`${root}/real`);
  return {
    root,
    outside,
    async cleanup() {
      await Deno.remove(root, { recursive: true });
      await Deno.remove(outside, { recursive: true });
    },
  };
}

for (const mode of ["openat2", "per-component fallback"] as const) {
  Deno.test(`confined files (${mode}): plain files work, links and escapes are refused`, async () => {
    useFallbackForTests(mode !== "openat2");
    const f = await fixture();
    try {
      if (mode === "openat2") assert(hasOpenat2(), "this kernel has openat2 (5.6+)");
      await mkdirBeneath(f.root, `${f.root}/real/a/b`);
      await writeBeneath(f.root, "real/a/b/x.txt", "hello", 0o600);
      assertEquals(await readTextBeneath(f.root, `${f.root}/real/a/b/x.txt`), "hello");
      assertEquals(((await lstatBeneath(f.root, "real/a/b/x.txt"))?.mode ?? 0) & 0o777, 0o600);
      assertEquals(await readTextBeneath(f.root, "real/none"), null);
      const log = openBeneathSync(f.root, "real/log", "create-append");
      log.writeSync(new TextEncoder().encode("line\n"));
      log.close();
      await renameBeneath(f.root, "real/log", "real/log.1");
      assertEquals(await readTextBeneath(f.root, "real/log.1"), "line\n");
      assert((await lstatBeneath(f.root, "file-link"))?.isSymlink, "lstat reports, never follows");
      for (const path of ["file-link", "dir-link/canary", "dangling", "../x", "real/../../x"]) {
        await assertRejects(() => readTextBeneath(f.root, path), /Refusing to use/);
        await assertRejects(() => writeBeneath(f.root, path, "X"), /Refusing to use/);
        assertThrows(() => openBeneathSync(f.root, path, "create-append"), /Refusing to use/);
      }
      await assertRejects(() => writeBeneath(f.root, "dir-link/new", "X"), /Refusing to use/);
      await assertRejects(() => mkdirBeneath(f.root, "dir-link/sub"), /Refusing to use/);
      await assertRejects(
        () => renameBeneath(f.root, "real/log.1", "dir-link/log"),
        /Refusing to use/,
      );
      await assertRejects(() => writeBeneath(f.root, "/etc/passwd", "X"), /Refusing to use/);
      await removeBeneath(f.root, "file-link");
      assertEquals(await Deno.readTextFile(`${f.outside}/canary`), "canary");
      assertEquals([...Deno.readDirSync(f.outside)].map((e) => e.name), ["canary"]);
      const refused = await readTextBeneath(f.root, "dir-link/canary").catch((e) => e);
      assertEquals(refused.kind, "conflict");
      assertEquals(refused.code, "unsafe_path");
      assert(refused.message.includes("dir-link/canary"), refused.message);
    } finally {
      useFallbackForTests(false);
      await f.cleanup();
    }
  });
}

Deno.test("a part of a file: head or tail, bounded; missing is null; a link or pipe is refused at once", async () => {
  const f = await fixture();
  try {
    const text = "0123456789".repeat(100) + "END";
    await Deno.writeTextFile(`${f.root}/real/big.log`, text);
    const decode = (bytes: Uint8Array | null) => bytes && new TextDecoder().decode(bytes);
    assertEquals(decode(readPartBeneathSync(f.root, "real/big.log", 10, "head")), "0123456789");
    assertEquals(decode(readPartBeneathSync(f.root, "real/big.log", 5, "tail")), "89END");
    assertEquals(decode(readPartBeneathSync(f.root, "real/big.log", 99_999, "tail")), text);
    assertEquals(readPartBeneathSync(f.root, "real/missing.log", 10, "head"), null);
    assertThrows(() => readPartBeneathSync(f.root, "file-link", 10, "head"), /Refusing/);
    const { success } = await new Deno.Command("mkfifo", { args: [`${f.root}/real/pipe`] })
      .output();
    assert(success, "mkfifo");
    // Non-blocking: with no writer the open would otherwise wait for ever on this thread.
    assertThrows(() => readPartBeneathSync(f.root, "real/pipe", 10, "tail"), /not a regular file/);
  } finally {
    await f.cleanup();
  }
});
