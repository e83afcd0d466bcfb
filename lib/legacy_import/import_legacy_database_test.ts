import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { assert, assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import {
  buildLegacyDb,
  type LegacySchemaVersion,
} from "../../tests/fixtures/legacy/build_legacy_db.ts";
import { openDatabase } from "../db/mod.ts";
import { InstanceRepository } from "../db/mod.ts";
import type { InstanceRecord } from "../db/mod.ts";
import { importLegacyDatabase } from "./import_legacy_database.ts";
import { LegacyImportError } from "./legacy_import_error.ts";

const POOL = { start: 19001, end: 19020 };

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hashes of every file in the folder of the old database (main, -wal, -shm, anything new). */
async function folderHashes(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const entry of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isFile) hashes[entry.name] = await sha256(join(dir, entry.name));
  }
  return hashes;
}

interface Setup {
  dir: string;
  source: string;
  target: DatabaseSync;
  repo: InstanceRepository;
  backupDir: string;
}

async function withLegacy(
  version: LegacySchemaVersion,
  fn: (setup: Setup) => void | Promise<void>,
  options: { walOnly?: boolean } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-import-" });
  await Deno.mkdir(join(dir, "old"));
  await Deno.mkdir(join(dir, "data"));
  const source = join(dir, "old/aikore.db");
  buildLegacyDb(source, version, options);
  const target = openDatabase(join(dir, "data/aikore.db"));
  try {
    await fn({
      dir,
      source,
      target,
      repo: new InstanceRepository(target),
      backupDir: join(dir, "data"),
    });
  } finally {
    target.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const bySlug = (repo: InstanceRepository) => new Map(repo.list().map((r) => [r.slug, r]));

function config(record: InstanceRecord | undefined) {
  assert(record, "instance missing");
  const { id: _i, createdAt: _c, updatedAt: _u, ...rest } = record;
  return rest;
}

const RUNTIME = {
  status: "stopped",
  statusMessage: null,
  pid: null,
  pidStartTicks: null,
  startedAt: null,
  appPort: null,
  vncDisplay: null,
  vncPort: null,
  exitCode: null,
  exitSignal: null,
  invalidReason: null,
  restartPolicy: "no",
  idleStopMinutes: null,
} as const;

Deno.test("a V6 database imports every valid row with its fields mapped", async () => {
  await withLegacy(6, ({ source, target, repo, backupDir }) => {
    const report = importLegacyDatabase({ source, target, backupDir, portRange: POOL });
    assertEquals(report.schemaVersion, 6);
    assertEquals(report.imported.map((i) => [i.oldId, i.slug]), [
      [1, "comfyui"],
      [3, "lmstudio"],
      [8, "bad-fields"],
      [9, "dup-port"],
      [10, "my-comfy-ui"],
      [5, "comfy-sat"],
    ]);
    const all = bySlug(repo);
    assertEquals(all.size, 6);
    assertEquals(config(all.get("comfyui")), {
      ...RUNTIME,
      parentId: null,
      name: "comfyui",
      slug: "comfyui",
      blueprint: "ComfyUI.sh",
      gpuIds: "0",
      autostart: true,
      persistentMode: false,
      hostname: "comfy.example.com",
      useCustomHostname: true,
      outputPath: "comfy-out",
      port: 19001,
      pythonVersion: "3.12",
      cudaVersion: "12.8",
      torchVersion: "2.7.0",
    });
    assertEquals(config(all.get("lmstudio")), {
      ...RUNTIME,
      parentId: null,
      name: "lmstudio",
      slug: "lmstudio",
      blueprint: "LMStudio.sh",
      gpuIds: "",
      autostart: false,
      persistentMode: true,
      hostname: "lm.example.com",
      useCustomHostname: true,
      outputPath: "lmstudio",
      port: 19003,
      pythonVersion: null,
      cudaVersion: null,
      torchVersion: null,
    });
    assertEquals(config(all.get("bad-fields")), {
      ...RUNTIME,
      parentId: null,
      name: "bad-fields",
      slug: "bad-fields",
      blueprint: "FluxGym.sh",
      gpuIds: "",
      autostart: false,
      persistentMode: false,
      hostname: null,
      useCustomHostname: false,
      outputPath: "bad-fields",
      port: null,
      pythonVersion: null,
      cudaVersion: null,
      torchVersion: null,
    });
    const sat = all.get("comfy-sat");
    assertEquals([sat?.parentId, sat?.gpuIds, sat?.port], [all.get("comfyui")?.id, "1", 19005]);
    assertEquals([all.get("dup-port")?.port, all.get("dup-port")?.outputPath], [null, "dup-port"]);
    assertEquals(
      report.invalid.map((p) => [p.oldId, p.field, p.skipped, p.proposedSlug ?? null]),
      [
        [2, "name", true, "my-comfy-ui-2"],
        [4, "name", true, "etc"],
        [6, "parent_instance_id", true, null],
        [7, "parent_instance_id", true, null],
        [8, "gpu_ids", false, null],
        [8, "hostname", false, null],
        [8, "output_path", false, null],
        [8, "port", false, null],
        [8, "python_version", false, null],
        [9, "port", false, null],
        [11, "name", true, "api-1"],
        [12, "base_blueprint", true, null],
        [13, "parent_instance_id", true, null],
      ],
    );
    const reason = (oldId: number, field: string) =>
      report.invalid.find((p) => p.oldId === oldId && p.field === field)?.reason;
    assertEquals(
      reason(8, "port"),
      "port 25000 is outside the instance port pool 19001-19020; imported without a port",
    );
    assertEquals(
      reason(9, "port"),
      "port 19001 is already used by another instance; imported without a port",
    );
    assertEquals(reason(7, "parent_instance_id"), "parent instance 99 does not exist");
    assertEquals(
      reason(6, "parent_instance_id"),
      `parent "My Comfy UI" (old id 2) is not imported`,
    );
    assertEquals(
      reason(13, "parent_instance_id"),
      `parent "comfy-sat" is itself a satellite (satellites cannot have satellites)`,
    );
    assert(reason(11, "name")?.includes(`"api" is reserved`), reason(11, "name"));
    assert(
      report.warnings.includes(
        `"lmstudio": custom address "HTTPS://LM.Example.com:8443/" imported as host name "lm.example.com"`,
      ),
      report.warnings.join("\n"),
    );
  });
});

Deno.test("acceptProposedSlugs imports invalid names under unique proposed slugs", async () => {
  await withLegacy(6, ({ source, target, repo, backupDir }) => {
    const report = importLegacyDatabase({
      source,
      target,
      backupDir,
      portRange: POOL,
      acceptProposedSlugs: true,
    });
    const all = bySlug(repo);
    assertEquals([...all.keys()].sort(), [
      "api-1",
      "bad-fields",
      "comfy-sat",
      "comfyui",
      "dup-port",
      "etc",
      "lmstudio",
      "my-comfy-ui",
      "my-comfy-ui-2",
      "sat-of-invalid",
    ]);
    assertEquals([all.get("my-comfy-ui-2")?.name, all.get("my-comfy-ui-2")?.gpuIds], [
      "My Comfy UI",
      "1,0",
    ]);
    assertEquals([all.get("etc")?.name, all.get("etc")?.port, all.get("etc")?.gpuIds], [
      "../etc",
      19004,
      "",
    ]);
    assertEquals(all.get("sat-of-invalid")?.parentId, all.get("my-comfy-ui-2")?.id);
    assertEquals(all.get("api-1")?.port, 19011);
    const names = report.invalid.filter((p) => p.field === "name");
    assertEquals(names.map((p) => [p.proposedSlug, p.skipped]), [["my-comfy-ui-2", false], [
      "etc",
      false,
    ], ["api-1", false]]);
    assert(
      report.warnings.includes(`"../etc": outputs used to go to the folder "../etc"; now "etc"`),
      report.warnings.join("\n"),
    );
    assertEquals(
      repo.list().every((r) => r.invalidReason === null && r.status === "stopped"),
      true,
    );
  });
});

for (const version of [1, 4, 5] as const) {
  Deno.test(`a V${version} database imports with the columns it has`, async () => {
    await withLegacy(version, ({ source, target, repo, backupDir }) => {
      const report = importLegacyDatabase({ source, target, backupDir, portRange: POOL });
      assertEquals(report.schemaVersion, version);
      const expected = ["comfyui", "lmstudio", "bad-fields", "dup-port", "my-comfy-ui"];
      if (version >= 5) expected.push("comfy-sat");
      assertEquals(report.imported.map((i) => i.slug), expected);
      const comfy = bySlug(repo).get("comfyui");
      const lm = bySlug(repo).get("lmstudio");
      assertEquals(
        [comfy?.hostname, comfy?.useCustomHostname, comfy?.outputPath, comfy?.pythonVersion],
        version >= 4
          ? ["comfy.example.com", true, "comfy-out", null]
          : [null, false, "comfyui", null],
      );
      assertEquals([lm?.persistentMode, lm?.port, comfy?.port, comfy?.autostart], [
        true,
        19003,
        19001,
        true,
      ]);
      assertEquals(report.invalid.some((p) => p.field === "parent_instance_id"), version >= 5);
      assertEquals(report.invalid.filter((p) => p.field === "name").map((p) => p.proposedSlug), [
        "my-comfy-ui-2",
        "etc",
        "api-1",
      ]);
    });
  });
}

Deno.test("the old database files are never changed, even with rows only in the WAL", async () => {
  for (const walOnly of [false, true]) {
    await withLegacy(6, async ({ dir, source, target, repo, backupDir }) => {
      const before = await folderHashes(join(dir, "old"));
      assertEquals(
        Object.keys(before),
        walOnly ? ["aikore.db", "aikore.db-shm", "aikore.db-wal"] : ["aikore.db"],
      );
      const report = importLegacyDatabase({ source, target, backupDir, portRange: POOL });
      assertEquals(await folderHashes(join(dir, "old")), before);
      assertEquals(repo.count(), 6);
      assert(
        report.backupPath.startsWith(join(dir, "data", "aikore-python-backup-")),
        report.backupPath,
      );
      assertEquals(await sha256(report.backupPath), before["aikore.db"]);
      if (walOnly) assertEquals(await sha256(report.backupPath + "-wal"), before["aikore.db-wal"]);
    }, { walOnly });
  }
});

Deno.test("a target that already has instances is refused unless merging; nothing changes", async () => {
  await withLegacy(6, ({ dir, source, target, repo, backupDir }) => {
    const existing = repo.insert({
      parentId: null,
      name: "comfyui",
      slug: "comfyui",
      blueprint: "ComfyUI.sh",
      gpuIds: "",
      autostart: false,
      persistentMode: false,
      hostname: null,
      useCustomHostname: false,
      outputPath: "comfyui",
      port: 19005,
      restartPolicy: "no",
      pythonVersion: null,
      cudaVersion: null,
      torchVersion: null,
    });
    assertThrows(
      () => importLegacyDatabase({ source, target, backupDir, portRange: POOL }),
      /already has 1 instance\(s\)/,
    );
    assertEquals(repo.list().map((r) => r.slug), ["comfyui"]);
    assertEquals(
      [...Deno.readDirSync(join(dir, "data"))].some((e) => e.name.startsWith("aikore-python")),
      false,
    );
    const report = importLegacyDatabase({
      source,
      target,
      backupDir,
      portRange: POOL,
      merge: true,
      acceptProposedSlugs: true,
    });
    const all = bySlug(repo);
    assertEquals(all.get("comfyui")?.id, existing.id);
    assertEquals([all.get("comfyui-2")?.port, all.get("comfyui-2")?.hostname], [
      19001,
      "comfy.example.com",
    ]);
    assertEquals([all.get("comfy-sat")?.parentId, all.get("comfy-sat")?.port], [
      all.get("comfyui-2")?.id,
      null,
    ]);
    const problem = report.invalid.find((p) => p.oldId === 1);
    assertEquals([problem?.field, problem?.proposedSlug], ["name", "comfyui-2"]);
    assert(problem?.reason.startsWith(`slug "comfyui" is already used`), problem?.reason);
  });
});

Deno.test("a failure midway through the inserts leaves the target as it was", async () => {
  await withLegacy(6, ({ source, target, repo, backupDir }) => {
    // A conflicting slug appearing under the importer's feet (e.g. a concurrent create).
    target.exec(
      `CREATE TRIGGER conflict BEFORE INSERT ON instances WHEN NEW.slug = 'dup-port'
       BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: instances.slug'); END`,
    );
    assertThrows(
      () => importLegacyDatabase({ source, target, backupDir, portRange: POOL }),
      /UNIQUE constraint/,
    );
    assertEquals(repo.count(), 0);
    assertEquals(target.isTransaction, false);
    target.exec("DROP TRIGGER conflict");
    assertEquals(
      importLegacyDatabase({ source, target, backupDir, portRange: POOL }).imported.length,
      6,
    );
  });
});

Deno.test("sources that are missing or not Python-AiKore databases are refused", async () => {
  await withLegacy(6, async ({ dir, target, backupDir }) => {
    const check = (source: string, pattern: RegExp) => {
      try {
        importLegacyDatabase({ source, target, backupDir, portRange: POOL });
      } catch (error) {
        assert(error instanceof LegacyImportError, String(error));
        assert(pattern.test(error.message), error.message);
        return;
      }
      throw new Error(`${source} was accepted`);
    };
    check(join(dir, "nope.db"), /does not exist/);
    check(join(dir, "data/aikore.db"), /is not a Python-AiKore database/);
    await Deno.writeTextFile(join(dir, "text.db"), "hello");
    check(join(dir, "text.db"), /is not a Python-AiKore database/);
  });
});

Deno.test("oldInstancesDir: each instance's old folder is reported, never probed outside", async () => {
  await withLegacy(6, async ({ dir, source, target, backupDir }) => {
    const old = join(dir, "old/instances");
    await Deno.mkdir(join(old, "comfyui"), { recursive: true });
    await Deno.mkdir(join(old, "My Comfy UI"));
    await Deno.mkdir(join(dir, "old/etc"));
    const report = importLegacyDatabase({
      source,
      target,
      backupDir,
      portRange: POOL,
      oldInstancesDir: old,
    });
    const dirs = new Map(report.directories.map((d) => [d.name, d]));
    assertEquals(dirs.get("comfyui"), {
      oldId: 1,
      name: "comfyui",
      slug: "comfyui",
      path: join(old, "comfyui"),
      exists: true,
    });
    assertEquals(dirs.get("My Comfy UI"), {
      oldId: 2,
      name: "My Comfy UI",
      slug: null,
      path: join(old, "My Comfy UI"),
      exists: true,
    });
    assertEquals(dirs.get("../etc"), {
      oldId: 4,
      name: "../etc",
      slug: null,
      path: null,
      exists: false,
    });
    assertEquals(dirs.get("lmstudio")?.exists, false);
    assertEquals(report.directories.length, 13);
  });
});

Deno.test("a schema newer than V6 still imports, with a warning", async () => {
  await withLegacy(6, ({ source, target, backupDir }) => {
    const db = new DatabaseSync(source);
    db.exec("UPDATE aikore_meta SET value = '7' WHERE key = 'schema_version'");
    db.close();
    const report = importLegacyDatabase({ source, target, backupDir, portRange: POOL });
    assertEquals(report.schemaVersion, 7);
    assert(report.warnings[0]?.startsWith("schema version 7 is newer than V6"), report.warnings[0]);
    assertEquals(report.imported.length, 6);
  });
});

Deno.test("a dry run reports exactly what an import does and writes nothing", async () => {
  await withLegacy(6, ({ source, target, repo, backupDir }) => {
    const preview = importLegacyDatabase({
      source,
      target,
      backupDir,
      portRange: POOL,
      dryRun: true,
    });
    assertEquals([preview.dryRun, preview.backupPath, repo.count()], [true, "", 0]);
    assertEquals(
      [...Deno.readDirSync(backupDir)].some((e) => e.name.startsWith("aikore-python")),
      false,
    );
    const real = importLegacyDatabase({ source, target, backupDir, portRange: POOL });
    assertEquals(real.dryRun, false);
    assertEquals(real.imported, preview.imported);
    assertEquals(real.invalid, preview.invalid);
  });
});
