import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { SETUP_TOKEN_TTL_MS, SetupTokenIssuer } from "./setup_token.ts";

Deno.test("setup token: 64 hex characters, usable once", () => {
  const issuer = new SetupTokenIssuer(Date.now);
  const token = issuer.issue();
  assert(/^[0-9a-f]{64}$/.test(token), token);
  assert(issuer.check(token));
  assert(issuer.check(token), "check does not use it up");
  assert(issuer.consume(token));
  assert(!issuer.consume(token), "second use refused");
  assert(!issuer.check(token));
});

Deno.test("setup token: wrong, missing or malformed tokens are refused", () => {
  const issuer = new SetupTokenIssuer(Date.now);
  const token = issuer.issue();
  const flipped = (token[0] === "a" ? "b" : "a") + token.slice(1);
  for (
    const bad of [null, undefined, "", flipped, token.toUpperCase(), token + "0", token.slice(1)]
  ) {
    assertEquals(issuer.check(bad), false, String(bad));
  }
  assert(issuer.consume(token), "refusals do not burn the real token");
});

Deno.test("setup token: expires after 30 minutes; a new one replaces the old", () => {
  const state = { now: 0 };
  const issuer = new SetupTokenIssuer(() => state.now);
  const first = issuer.issue();
  state.now = SETUP_TOKEN_TTL_MS - 1;
  assert(issuer.check(first));
  const second = issuer.issue();
  assert(!issuer.check(first), "re-issuing revokes the previous token");
  state.now += SETUP_TOKEN_TTL_MS;
  assert(!issuer.check(second), "expired");
  assert(!issuer.consume(second));
});
