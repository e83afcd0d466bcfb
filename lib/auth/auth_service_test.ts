import { assert, assertEquals, assertRejects } from "../../tests/helpers/assert.ts";
import { AuditRepository, openDatabase, SettingsRepository } from "../db/mod.ts";
import { createLogger } from "../log/mod.ts";
import { AuthService } from "./auth_service.ts";
import { hashPassword, type PasswordHasher, verifyPassword } from "./password_hash.ts";

const PASSWORD = "a long test password";
const CHEAP = { N: 1024, r: 8, p: 1 };

/** A real scrypt hasher at a low cost, counting calls and peak concurrency. */
function countingHasher() {
  const stats = { verifies: 0, hashes: 0, running: 0, peak: 0 };
  const track = async <T>(work: () => Promise<T>) => {
    stats.running++;
    stats.peak = Math.max(stats.peak, stats.running);
    try {
      await new Promise((r) => setTimeout(r, 5));
      return await work();
    } finally {
      stats.running--;
    }
  };
  const hasher: PasswordHasher = {
    hash: (password) => track(() => (stats.hashes++, hashPassword(password, CHEAP))),
    verify: (password, encoded) =>
      track(() => (stats.verifies++, verifyPassword(password, encoded))),
  };
  return { hasher, stats };
}

function setup(options: { authEnabled?: boolean } = {}) {
  const db = openDatabase(":memory:");
  const logs: string[] = [];
  const state = { now: 1_700_000_000_000 };
  const { hasher, stats } = countingHasher();
  const audit = new AuditRepository(db);
  const auth = new AuthService({
    db,
    settings: new SettingsRepository(db),
    audit,
    logger: createLogger("debug", "test", (line) => logs.push(line)),
    authEnabled: options.authEnabled ?? true,
    now: () => state.now,
    hasher,
  });
  return { db, auth, audit, logs, state, stats };
}

const ctx = { client: "192.0.2.7", userAgent: "test-agent" };
const cookieHeaders = (id: string) => new Headers({ cookie: `aikore_session=${id}` });

Deno.test("initial password from the environment is applied once and audited without secrets", async () => {
  const { db, auth, audit } = setup();
  assertEquals(auth.passwordIsSet(), false);
  assert(await auth.applyInitialPassword(PASSWORD));
  assert(auth.passwordIsSet());
  assertEquals(await auth.applyInitialPassword("another password"), false, "never overwrites");
  assertEquals(auth.issueSetupToken(), null, "no setup token once a password exists");
  await assertRejects(() => setup().auth.applyInitialPassword("short"), /at least 8/);
  assertEquals(audit.list({ limit: 10 }).map((e) => e.action), ["password_set"]);
  assert(!JSON.stringify(audit.list({ limit: 10 })).includes(PASSWORD));
  db.close();
});

Deno.test("login issues a session; the cookie authenticates; a second login rotates the id", async () => {
  const { db, auth } = setup();
  await auth.applyInitialPassword(PASSWORD);
  const first = await auth.login(PASSWORD, ctx);
  assert(first.ok);
  const principal = auth.authenticate(cookieHeaders(first.session.id));
  assertEquals(principal?.kind, "session");
  assertEquals(principal?.csrfToken, first.session.csrfToken);
  assert(principal?.actor.startsWith("session:") && !principal.actor.includes(first.session.id));
  const second = await auth.login(PASSWORD, { ...ctx, previousSessionId: first.session.id });
  assert(second.ok);
  assert(second.session.id !== first.session.id);
  assert(second.session.csrfToken !== first.session.csrfToken);
  assertEquals(auth.authenticate(cookieHeaders(first.session.id)), null, "old id still valid");
  assert(auth.authenticate(cookieHeaders(second.session.id)));
  auth.logout(second.session.id, ctx);
  assertEquals(auth.authenticate(cookieHeaders(second.session.id)), null);
  db.close();
});

Deno.test("wrong passwords fail, are audited and logged without the password", async () => {
  const { db, auth, audit, logs } = setup();
  await auth.applyInitialPassword(PASSWORD);
  const outcome = await auth.login("not the password", ctx);
  assertEquals(outcome, { ok: false, reason: "invalid" });
  const [entry] = audit.list({ limit: 1 });
  assertEquals(entry?.action, "login_failed");
  assertEquals(entry?.client, "192.0.2.7");
  const everything = JSON.stringify(audit.list({ limit: 100 })) + logs.join("\n");
  assert(!everything.includes("not the password"));
  assert(!everything.includes(PASSWORD));
  db.close();
});

Deno.test("at most five verifications per minute per client; the refusal says when to retry", async () => {
  const { db, auth, stats, state, audit } = setup();
  await auth.applyInitialPassword(PASSWORD);
  const outcomes = [];
  for (let i = 0; i < 20; i++) outcomes.push(await auth.login("wrong password", ctx));
  assertEquals(stats.verifies, 5);
  const limited = outcomes.filter((o) => !o.ok && o.reason === "rate_limited");
  assertEquals(limited.length, 15);
  const first = limited[0];
  assert(first && !first.ok && first.reason === "rate_limited" && first.retryAfterSeconds > 0);
  assert((await auth.login(PASSWORD, { client: "192.0.2.8" })).ok, "another client is unaffected");
  const limitedRows = audit.list({ limit: 100, action: "login_rate_limited" });
  assertEquals(limitedRows.length, 1, "one audit row per client per minute, not per attempt");
  state.now += 61_000;
  assert((await auth.login(PASSWORD, ctx)).ok, "the limit lifts after a minute");
  db.close();
});

Deno.test("no more than two password hashes run at once", async () => {
  const { db, auth, stats } = setup();
  await auth.applyInitialPassword(PASSWORD);
  await Promise.all(
    Array.from({ length: 8 }, (_, i) => auth.login(PASSWORD, { client: `198.51.100.${i}` })),
  );
  assertEquals(stats.verifies, 8);
  assertEquals(stats.peak, 2);
  db.close();
});

Deno.test("bearer tokens: shown once, stored hashed, listed without value, revocable", () => {
  const { db, auth, audit } = setup();
  const created = auth.createToken("ci bot", { ...ctx, actor: "session:abc" });
  assert(/^aik_[A-Za-z0-9_-]{43}$/.test(created.token));
  assert(!JSON.stringify(db.prepare("SELECT * FROM api_tokens").all()).includes(created.token));
  const bearer = new Headers({ authorization: `Bearer ${created.token}` });
  assertEquals(auth.authenticate(bearer), {
    kind: "token",
    actor: "token:ci bot",
    csrfToken: null,
    credential: `token:${created.id}`,
  });
  assertEquals(auth.listTokens().map((t) => [t.name, "token" in t]), [["ci bot", false]]);
  assert(auth.revokeToken(created.id, ctx));
  assertEquals(auth.authenticate(bearer), null);
  assertEquals(auth.revokeToken(created.id, ctx), false);
  assertEquals(audit.list({ limit: 10 }).map((e) => e.action), ["token_revoked", "token_created"]);
  assert(!JSON.stringify(audit.list({ limit: 10 })).includes(created.token));
  db.close();
});

Deno.test("an invalid bearer never falls back to the cookie; Basic auth headers are ignored", async () => {
  const { db, auth } = setup();
  await auth.applyInitialPassword(PASSWORD);
  const login = await auth.login(PASSWORD, ctx);
  assert(login.ok);
  const cookie = `aikore_session=${login.session.id}`;
  assertEquals(auth.authenticate(new Headers({ cookie, authorization: "Bearer aik_nope" })), null);
  assertEquals(
    auth.authenticate(new Headers({ cookie, authorization: "Basic dXNlcjpwYXNz" }))?.kind,
    "session",
    "a reverse proxy's Basic auth must not hide the session",
  );
  db.close();
});

Deno.test("password change checks the current one, ends every session and opens a new one", async () => {
  const { db, auth } = setup();
  await auth.applyInitialPassword(PASSWORD);
  const a = await auth.login(PASSWORD, ctx);
  const b = await auth.login(PASSWORD, { client: "192.0.2.99" });
  assert(a.ok && b.ok);
  assertEquals((await auth.changePassword("wrong one!", "new password 1", ctx)).ok, false);
  const weak = await auth.changePassword(PASSWORD, "short", ctx);
  assert(!weak.ok && weak.reason === "weak_password");
  const changed = await auth.changePassword(PASSWORD, "new password 1", ctx);
  assert(changed.ok);
  assertEquals(auth.authenticate(cookieHeaders(a.session.id)), null);
  assertEquals(auth.authenticate(cookieHeaders(b.session.id)), null);
  assert(auth.authenticate(cookieHeaders(changed.session.id)));
  assertEquals((await auth.login(PASSWORD, { client: "x" })).ok, false);
  assert((await auth.login("new password 1", { client: "x" })).ok);
  db.close();
});

Deno.test("setup: token checked, password rules enforced before the token is used up", async () => {
  const { db, auth, audit } = setup();
  const token = auth.issueSetupToken();
  assert(token);
  assertEquals((await auth.completeSetup("f".repeat(64), PASSWORD, ctx)).ok, false);
  const weak = await auth.completeSetup(token, "short", ctx);
  assert(!weak.ok && weak.reason === "weak_password");
  const done = await auth.completeSetup(token, PASSWORD, ctx);
  assert(done.ok);
  assert(auth.authenticate(cookieHeaders(done.session.id)));
  const again = await auth.completeSetup(token, "other password", ctx);
  assert(!again.ok && again.reason === "already_set");
  assert(!JSON.stringify(audit.list({ limit: 100 })).includes(token));
  db.close();
});

Deno.test("auth off: every request is the anonymous principal, and login is not needed", async () => {
  const { db, auth } = setup({ authEnabled: false });
  assertEquals(auth.authenticate(new Headers())?.kind, "anonymous-auth-off");
  assertEquals(auth.authenticate(new Headers())?.csrfToken, null);
  assertEquals(await auth.login(PASSWORD, ctx), { ok: false, reason: "auth_off" });
  db.close();
});

Deno.test("reset from the command line: new password or none, all sessions end", async () => {
  const { db, auth, audit } = setup();
  await auth.applyInitialPassword(PASSWORD);
  const login = await auth.login(PASSWORD, ctx);
  assert(login.ok);
  assertEquals(await auth.resetPassword("brand new password", "cli"), { sessionsEnded: 1 });
  assertEquals(auth.authenticate(cookieHeaders(login.session.id)), null);
  assert((await auth.login("brand new password", { client: "y" })).ok);
  await auth.resetPassword(null, "cli");
  assertEquals(auth.passwordIsSet(), false);
  assert(auth.issueSetupToken());
  assertEquals(audit.list({ limit: 1 })[0]?.action, "password_cleared");
  db.close();
});
