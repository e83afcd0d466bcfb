import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { buildLegacyDb } from "../../tests/fixtures/legacy/build_legacy_db.ts";
import { InstanceRepository, openDatabase } from "../db/mod.ts";
import { importDbCommand } from "./import_commands.ts";

const portRange = { start: 19001, end: 19020 };

async function withDirs(fn: (root: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "aikore-import-cli-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function slugsIn(dataDir: string): string[] {
  const db = openDatabase(join(dataDir, "aikore.db"));
  try {
    return new InstanceRepository(db).list().map((r) => r.slug).sort();
  } finally {
    db.close();
  }
}

Deno.test("import-db imports, prints a readable report and reports old folders", async () => {
  await withDirs(async (root) => {
    await Deno.mkdir(join(root, "old/instances/comfyui"), { recursive: true });
    buildLegacyDb(join(root, "old/aikore.db"), 6);
    const data = join(root, "data");
    const result = await importDbCommand(["old/aikore.db"], {
      cwd: root,
      dataDir: data,
      portRange,
    });
    assertEquals(result.exitCode, 0, result.output);
    assertMatch(result.output, /Source: .*old\/aikore\.db \(Python AiKore, schema V6\)/);
    assertMatch(result.output, /Backup of the old database: .*data\/aikore-python-backup-/);
    assertMatch(
      result.output,
      /Imported 6 instance\(s\):\n {2}old #1 "comfyui" -> comfyui \(id 1\)/,
    );
    assertMatch(result.output, /old #2 "My Comfy UI": name: .* \[proposed slug: my-comfy-ui-2\]/);
    assertMatch(result.output, /Imported with changes:\n.*old #8 "bad-fields": gpu_ids:/);
    assertMatch(
      result.output,
      /old #1 "comfyui": .*old\/instances\/comfyui exists: move it to .*data\/instances\/comfyui/,
    );
    assertMatch(result.output, /run again with --accept-proposed-slugs/);
    assertEquals(slugsIn(data).length, 6);
    const again = await importDbCommand(["old/aikore.db"], { cwd: root, dataDir: data, portRange });
    assertEquals(again.exitCode, 1);
    assertMatch(again.output, /^import-db failed: the target database already has 6 instance\(s\)/);
  });
});

Deno.test("import-db --dry-run writes nothing; --accept-proposed-slugs brings invalid names", async () => {
  await withDirs(async (root) => {
    buildLegacyDb(join(root, "old.db"), 5);
    const data = join(root, "data");
    const dry = await importDbCommand(["old.db", "--dry-run", "--accept-proposed-slugs"], {
      cwd: root,
      dataDir: data,
      portRange,
    });
    assertEquals(dry.exitCode, 0, dry.output);
    assertMatch(dry.output, /^Dry run: nothing was written\./);
    assertMatch(dry.output, /Would import 10 instance\(s\)/);
    assertEquals(slugsIn(data), []);
    const real = await importDbCommand(["--accept-proposed-slugs", join(root, "old.db")], {
      cwd: "/",
      dataDir: data,
      portRange,
    });
    assertEquals(real.exitCode, 0, real.output);
    assert(slugsIn(data).includes("my-comfy-ui-2"));
    assertEquals(slugsIn(data).length, 10);
  });
});

Deno.test("import-db on a legacy <data>/aikore.db moves it aside and imports from the moved file", async () => {
  await withDirs(async (root) => {
    await Deno.mkdir(join(root, "instances/lmstudio"), { recursive: true });
    buildLegacyDb(join(root, "aikore.db"), 4, { walOnly: true });
    const result = await importDbCommand(["aikore.db"], { cwd: root, dataDir: root, portRange });
    assertEquals(result.exitCode, 0, result.output);
    assertMatch(
      result.output,
      /^Moved the Python-AiKore database .*aikore\.db to .*aikore\.legacy-\d{8}T\d{6}Z\.db/,
    );
    assertMatch(result.output, /schema V4/);
    assertMatch(result.output, /old #3 "lmstudio": .*instances\/lmstudio already in place/);
    assertEquals(slugsIn(root).length, 5);
  });
});

Deno.test("import-db refuses bad arguments and foreign files", async () => {
  await withDirs(async (root) => {
    const context = { cwd: root, dataDir: join(root, "data"), portRange };
    for (
      const args of [[], ["--bogus", "x.db"], ["a.db", "b.db"], ["a.db", "--old-instances-dir"]]
    ) {
      assertEquals((await importDbCommand(args, context)).exitCode, 2, args.join(" "));
    }
    await Deno.writeTextFile(join(root, "notes.db"), "not sqlite");
    const foreign = await importDbCommand(["notes.db"], context);
    assertEquals(foreign.exitCode, 1);
    assertMatch(foreign.output, /is not a Python-AiKore database/);
    const missing = await importDbCommand(["missing.db"], context);
    assertMatch(missing.output, /missing\.db does not exist/);
  });
});
