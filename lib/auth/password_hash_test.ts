import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import {
  hashPassword,
  needsRehash,
  OWASP_SCRYPT,
  parsePasswordHash,
  passwordProblem,
  verifyPassword,
} from "./password_hash.ts";

const CHEAP = { N: 1024, r: 8, p: 1 };

Deno.test("default hash uses scrypt at or above the OWASP parameters and records them", async () => {
  const encoded = await hashPassword("hunter2hunter2");
  const parsed = parsePasswordHash(encoded);
  assert(parsed, `not a parsable hash: ${encoded}`);
  assert(parsed.params.N >= 2 ** 17 && parsed.params.r >= 8 && parsed.params.p >= 1);
  assertEquals(parsed.salt.length, 16);
  assertEquals(parsed.key.length, 32);
  assert(!encoded.includes("hunter2"), "the hash text contains the password");
  assert(await verifyPassword("hunter2hunter2", encoded));
  assert(!(await verifyPassword("hunter2hunter3", encoded)));
  assertEquals(needsRehash(encoded), false);
});

Deno.test("the same password hashes differently each time (fresh salt)", async () => {
  const a = await hashPassword("same password", CHEAP);
  const b = await hashPassword("same password", CHEAP);
  assert(a !== b);
  assert(await verifyPassword("same password", a));
  assert(await verifyPassword("same password", b));
});

Deno.test("weaker stored parameters are verified but flagged for rehash", async () => {
  const weak = await hashPassword("password123", CHEAP);
  assert(await verifyPassword("password123", weak));
  assert(needsRehash(weak, OWASP_SCRYPT));
});

Deno.test("malformed or hostile hash texts never verify", async () => {
  for (
    const bad of [
      "",
      "plain",
      "sha1$abc$def",
      "scrypt$N=3,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",
      "scrypt$N=8388608,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",
      "scrypt$N=1024,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA==",
    ]
  ) {
    assertEquals(parsePasswordHash(bad), null, bad);
    assertEquals(await verifyPassword("x", bad), false);
    assert(needsRehash(bad));
  }
});

Deno.test("password rules: 8 to 1024 characters, no NUL or line breaks", () => {
  assert(passwordProblem("short") !== null);
  assert(passwordProblem("x".repeat(1025)) !== null);
  assert(passwordProblem("goodpass\nword") !== null);
  assert(passwordProblem("good\0password") !== null);
  assertEquals(passwordProblem("eight ch"), null);
  assertEquals(passwordProblem("ünïcødé pässwörd"), null);
});
