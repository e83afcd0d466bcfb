import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { AuthService, parsePasswordHash, verifyPassword } from "../auth/mod.ts";
import { AuditRepository, openDatabase, SettingsRepository } from "../db/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { hashPasswordCommand, resetPasswordCommand } from "./auth_commands.ts";

const reads = (value: string | null) => () => Promise.resolve(value);

function service(dbPath: string) {
  const db = openDatabase(dbPath);
  const auth = new AuthService({
    db,
    settings: new SettingsRepository(db),
    audit: new AuditRepository(db),
    logger: silentLogger,
    authEnabled: true,
  });
  return { db, auth };
}

Deno.test("hash-password prints an OWASP-strength scrypt hash of the password from stdin", async () => {
  assertEquals((await hashPasswordCommand(["secret"], { readPassword: reads("x") })).exitCode, 2);
  assertEquals((await hashPasswordCommand([], { readPassword: reads(null) })).exitCode, 1);
  const weak = await hashPasswordCommand([], { readPassword: reads("short") });
  assertEquals(weak.exitCode, 1);
  const ok = await hashPasswordCommand([], { readPassword: reads("a good password") });
  assertEquals(ok.exitCode, 0);
  const parsed = parsePasswordHash(ok.output);
  assert(parsed && parsed.params.N >= 2 ** 17);
  assert(await verifyPassword("a good password", ok.output));
});

Deno.test("reset-password sets a new password or clears it, signing every session out", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-cli-auth-" });
  const dbPath = `${dir}/aikore.db`;
  try {
    const first = service(dbPath);
    await first.auth.applyInitialPassword("the old password");
    const login = await first.auth.login("the old password", { client: "x" });
    assert(login.ok);
    first.db.close();

    assertEquals(
      (await resetPasswordCommand(["--force"], { dbPath, readPassword: reads("") })).exitCode,
      2,
    );
    const weak = await resetPasswordCommand([], { dbPath, readPassword: reads("short") });
    assertEquals(weak.exitCode, 1);
    const reset = await resetPasswordCommand([], {
      dbPath,
      readPassword: reads("the new password"),
    });
    assertEquals(reset.exitCode, 0);
    assertMatch(reset.output, /1 session\(s\) signed out/);

    const second = service(dbPath);
    assertEquals(
      second.auth.authenticate(new Headers({ cookie: `aikore_session=${login.session.id}` })),
      null,
    );
    assertEquals((await second.auth.login("the old password", { client: "y" })).ok, false);
    assert((await second.auth.login("the new password", { client: "z" })).ok);
    second.db.close();

    const cleared = await resetPasswordCommand(["--clear"], { dbPath, readPassword: reads(null) });
    assertEquals(cleared.exitCode, 0);
    const third = service(dbPath);
    assertEquals(third.auth.passwordIsSet(), false);
    assertEquals(new AuditRepository(third.db).list({ limit: 1 })[0]?.action, "password_cleared");
    third.db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readPasswordLine reads one line from piped stdin", async () => {
  const module = new URL("./auth_commands.ts", import.meta.url).href;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { readPasswordLine } from "${module}"; const p = await readPasswordLine("x"); ` +
      `Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(p)));`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("pass word 1\nsecond line\n"));
  await writer.close();
  const out = await child.output();
  assertEquals(new TextDecoder().decode(out.stdout), JSON.stringify("pass word 1"));
});
