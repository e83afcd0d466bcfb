/**
 * The command table, help, usage errors and the admin commands through the real program
 * (a child `deno run main.ts`) on a temp AIKORE_DATA_DIR.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { buildLegacyDb } from "../../tests/fixtures/legacy/build_legacy_db.ts";
import { AuthService, verifyPassword } from "../auth/mod.ts";
import {
  AuditRepository,
  InstanceRepository,
  openDatabase,
  SettingsRepository,
} from "../db/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { commandHelp, overviewHelp } from "./command_help.ts";
import { COMMAND_TABLE } from "./command_table.ts";
import { runProgram } from "./test_support.ts";

const FIXTURES = new URL("../../tests/fixtures/", import.meta.url).pathname;

async function withDataDir(fn: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-cli-admin-" });
  try {
    await fn(dataDir);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Opens the data dir's database with its auth service (as AiKore does). */
function authOf(dataDir: string) {
  const db = openDatabase(join(dataDir, "aikore.db"));
  const auth = new AuthService({
    db,
    settings: new SettingsRepository(db),
    audit: new AuditRepository(db),
    logger: silentLogger,
    authEnabled: true,
  });
  return { db, auth };
}

Deno.test("help lists the table; every command answers --help with its usage; help needs no config", async () => {
  const env = { AIKORE_INSTANCE_PORT_RANGE: "not a range" };
  const top = await runProgram(["help"], { env });
  assertEquals([top.code, top.stdout], [0, `${overviewHelp(COMMAND_TABLE)}\n`]);
  assertEquals((await runProgram(["--help"], { env })).stdout, top.stdout);
  for (const spec of COMMAND_TABLE) {
    assertMatch(top.stdout, new RegExp(`\\n  ${spec.words.join(" ")}\\b`));
    const help = await runProgram([...spec.words, "--help"], { env });
    assertEquals([help.code, help.stdout], [0, `${commandHelp(spec)}\n`], spec.words.join(" "));
  }
  const viaHelp = await runProgram(["help", "instances", "logs"], { env });
  assertMatch(viaHelp.stdout, /^usage: aikore instances logs NAME \[--tail N\] \[--follow\]/);
  const group = await runProgram(["instances", "--help"], { env });
  assertEquals(group.code, 0);
  const verbs = COMMAND_TABLE.filter((spec) => spec.words[0] === "instances")
    .map((spec) => spec.words[1]);
  assertEquals(verbs, [
    "ls",
    "start",
    "stop",
    "stop-all",
    "restart",
    "set",
    "usage",
    "runs",
    "logs",
  ]);
  assert(group.stdout.startsWith(`usage: aikore instances <${verbs.join("|")}> …`), group.stdout);
});

Deno.test("unknown commands, subcommands, flags and arguments exit 2 with a message and the usage", async () => {
  const env = {};
  const cases: Array<[string[], RegExp]> = [
    [["frobnicate"], /^aikore: unknown command "frobnicate"\nRun "aikore help" for the list\.\n$/],
    [
      ["instances", "explode"],
      /^aikore instances: no command "explode"\nusage: aikore instances </,
    ],
    [["instances"], /^aikore instances: which one\?\n/],
    [
      ["tokens", "ls", "--all"],
      /^aikore tokens ls: unknown flag "--all"\nusage: aikore tokens ls\n/,
    ],
    [["hash-password", "secret"], /^aikore hash-password: unexpected argument "secret"\n/],
    [
      ["blueprint", "check"],
      /^aikore blueprint check: missing FILE\nusage: aikore blueprint check FILE\n/,
    ],
    [["instances", "logs", "x", "--tail"], /^aikore instances logs: --tail needs a value \(N\)\n/],
    [["instances", "ls", "--json=yes"], /^aikore instances ls: --json takes no value\n/],
    [["serve", "--port", "1"], /^aikore serve: unknown flag "--port"\n/],
    [["help", "nothing"], /^aikore: no command "nothing"\n/],
  ];
  for (const [args, expected] of cases) {
    const run = await runProgram(args, { env });
    assertEquals([run.code, run.stdout], [2, ""], args.join(" "));
    assertMatch(run.stderr, expected);
  }
});

Deno.test("hash-password hashes the password piped on stdin, never one from argv", async () => {
  const run = await runProgram(["hash-password"], { env: {}, input: "a good password\n" });
  assertEquals(run.code, 0, run.stderr);
  const hash = run.stdout.trim();
  assertMatch(hash, /^scrypt\$N=131072,r=8,p=1\$/);
  assert(await verifyPassword("a good password", hash));
  const empty = await runProgram(["hash-password"], { env: {}, input: "" });
  assertEquals([empty.code, empty.stderr], [1, "no password given on stdin\n"]);
  const weak = await runProgram(["hash-password"], { env: {}, input: "short\n" });
  assertEquals(weak.code, 1);
  assertMatch(weak.stderr, /^the password /);
});

Deno.test("reset-password changes or clears the password of the data dir and ends sessions", async () => {
  await withDataDir(async (dataDir) => {
    const env = { AIKORE_DATA_DIR: dataDir };
    const absent = await runProgram(["reset-password"], { env, input: "the new password\n" });
    assertEquals(absent.code, 1);
    assertMatch(absent.stderr, /^no AiKore database at .*aikore\.db: check AIKORE_DATA_DIR/);
    assertEquals(await Deno.stat(join(dataDir, "aikore.db")).then(() => true, () => false), false);

    const first = authOf(dataDir);
    await first.auth.applyInitialPassword("the old password");
    assert((await first.auth.login("the old password", { client: "t" })).ok);
    first.db.close();

    const reset = await runProgram(["reset-password"], { env, input: "the new password\n" });
    assertEquals([reset.code, reset.stdout], [0, "Password changed. 1 session(s) signed out.\n"]);
    const second = authOf(dataDir);
    assertEquals((await second.auth.login("the old password", { client: "t" })).ok, false);
    assert((await second.auth.login("the new password", { client: "t" })).ok);
    second.db.close();

    const cleared = await runProgram(["reset-password", "--clear"], { env });
    assertEquals(cleared.code, 0, cleared.stderr);
    assertMatch(cleared.stdout, /^Password removed; the next start prints a one-time setup link/);
    const third = authOf(dataDir);
    assertEquals(third.auth.passwordIsSet(), false);
    third.db.close();
  });
});

Deno.test("tokens create prints a token once; ls lists it without its value; revoke ends it", async () => {
  await withDataDir(async (dataDir) => {
    const env = { AIKORE_DATA_DIR: dataDir };
    authOf(dataDir).db.close();
    assertEquals((await runProgram(["tokens", "ls"], { env })).stdout, "No API tokens.\n");
    const created = await runProgram(["tokens", "create", "laptop"], { env });
    assertEquals(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assertMatch(token, /^aik_[A-Za-z0-9_-]{43}$/);
    const ls = await runProgram(["tokens", "ls"], { env });
    assertMatch(
      ls.stdout,
      /^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\n1\s+laptop\s+aik_\S{6}\s+\d{4}-\d\d-\d\dT\S+Z\s+never\n$/,
    );
    assert(!ls.stdout.includes(token));
    const bad = await runProgram(["tokens", "create", "no/slashes"], { env });
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /^invalid token name: use 1-64 letters/);
    const revoked = await runProgram(["tokens", "revoke", "1"], { env });
    assertEquals([revoked.code, revoked.stdout], [0, "Token 1 revoked.\n"]);
    const twice = await runProgram(["tokens", "revoke", "1"], { env });
    assertEquals([twice.code, twice.stderr], [
      1,
      'no live API token with id 1 (see "aikore tokens ls")\n',
    ]);
    const check = authOf(dataDir);
    assertEquals(check.auth.authenticate(new Headers({ authorization: `Bearer ${token}` })), null);
    check.db.close();
  });
});

Deno.test("import-db imports a Python-AiKore database; a bad configuration is named, exit 2", async () => {
  await withDataDir(async (root) => {
    buildLegacyDb(join(root, "old.db"), 6);
    const dataDir = join(root, "data");
    const env = { AIKORE_DATA_DIR: dataDir, AIKORE_INSTANCE_PORT_RANGE: "19001-19020" };
    const dry = await runProgram(["import-db", "old.db", "--dry-run"], { env, cwd: root });
    assertEquals(dry.code, 0, dry.stderr);
    assertMatch(dry.stdout, /^Dry run: nothing was written\./);
    const run = await runProgram(["import-db", join(root, "old.db")], { env });
    assertEquals(run.code, 0, run.stderr);
    assertMatch(run.stdout, /Imported 6 instance\(s\):\n {2}old #1 "comfyui" -> comfyui \(id 1\)/);
    const db = openDatabase(join(dataDir, "aikore.db"));
    assertEquals(new InstanceRepository(db).list().length, 6);
    db.close();
    const badConfig = await runProgram(["import-db", "old.db"], {
      env: { AIKORE_DATA_DIR: dataDir, AIKORE_INSTANCE_PORT_RANGE: "19020-19001" },
      cwd: root,
    });
    assertEquals(badConfig.code, 2);
    assertMatch(
      badConfig.stderr,
      /AIKORE_INSTANCE_PORT_RANGE: end 19001 < start 19020\n$/,
    );
  });
});

Deno.test("blueprint check reports a valid blueprint's fields and a malformed one's line", async () => {
  const good = await runProgram(["blueprint", "check", "blueprints/http_app.sh"], {
    env: {},
    cwd: FIXTURES,
  });
  assertEquals(good.code, 0, good.stderr);
  assertMatch(good.stdout, /^http_app\.sh: metadata OK\n {2}name\s+Test HTTP app\n/);
  const bad = await runProgram(["blueprint", "check", "blueprint_meta/bad_duplicate_key.sh"], {
    env: {},
    cwd: FIXTURES,
  });
  assertEquals([bad.code, bad.stderr], [
    1,
    'bad_duplicate_key.sh, line 4: duplicate key "name" (first set on line 2)\n',
  ]);
});
