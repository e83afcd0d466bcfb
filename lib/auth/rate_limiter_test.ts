import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { MAX_KEYS, RateLimiter } from "./rate_limiter.ts";

function clock(start = 1_000_000) {
  const state = { now: start };
  return { state, now: () => state.now };
}

Deno.test("five attempts per minute per key, then refusals with a Retry-After", () => {
  const { state, now } = clock();
  const limiter = new RateLimiter({ perKey: 5, global: 100, windowMs: 60_000 }, now);
  for (let i = 0; i < 5; i++) {
    assertEquals(limiter.attempt("a").allowed, true);
    state.now += 1000;
  }
  const refused = limiter.attempt("a");
  assert(!refused.allowed);
  assertEquals(refused.scope, "address");
  // The oldest attempt was 5 s ago: it leaves the window 55 s from now.
  assertEquals(refused.retryAfterSeconds, 55);
  assertEquals(limiter.attempt("b").allowed, true, "another key is independent");
  state.now += 55_000;
  assertEquals(limiter.attempt("a").allowed, true, "the window slid");
  assertEquals(limiter.attempt("a").allowed, false, "only one slot freed");
});

Deno.test("refused attempts do not extend the lockout", () => {
  const { state, now } = clock();
  const limiter = new RateLimiter({ perKey: 2, global: 100, windowMs: 60_000 }, now);
  limiter.attempt("a");
  limiter.attempt("a");
  for (let i = 0; i < 100; i++) {
    state.now += 100;
    assertEquals(limiter.attempt("a").allowed, false);
  }
  state.now = 1_000_000 + 60_001;
  assertEquals(limiter.attempt("a").allowed, true);
});

Deno.test("a global ceiling stops address rotation", () => {
  const { now } = clock();
  const limiter = new RateLimiter({ perKey: 5, global: 10, windowMs: 60_000 }, now);
  for (let i = 0; i < 10; i++) assertEquals(limiter.attempt(`10.0.0.${i}`).allowed, true);
  const refused = limiter.attempt("10.0.0.200");
  assert(!refused.allowed);
  assertEquals(refused.scope, "global");
});

Deno.test("memory stays bounded under many distinct keys", () => {
  const { state, now } = clock();
  const limiter = new RateLimiter({ perKey: 5, global: 1e9, windowMs: 60_000 }, now);
  // All keys stay inside the window (12 s of 1 ms steps vs a 60 s window): pruning by age alone
  // cannot help, so the cap must.
  for (let i = 0; i < 12_000; i++) {
    limiter.attempt(`key-${i}`);
    state.now += 1;
  }
  assert(limiter.trackedKeys <= MAX_KEYS, `${limiter.trackedKeys} keys kept`);
  assertEquals(limiter.attempt("key-11999").allowed, true);
});
