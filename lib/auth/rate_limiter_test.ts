import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { MAX_KEYS, type RateDecision, RateLimiter } from "./rate_limiter.ts";

function clock(start = 1_000_000) {
  const state = { now: start };
  return { state, now: () => state.now };
}

/** One finished attempt: failed unless `ok`. */
function tryOnce(limiter: RateLimiter, key: string, ok = false): RateDecision {
  const decision = limiter.attempt(key);
  if (decision.allowed) decision.finish(!ok);
  return decision;
}

Deno.test("five failures per minute per key, then refusals with a Retry-After", () => {
  const { state, now } = clock();
  const limiter = new RateLimiter({ perKey: 5, windowMs: 60_000 }, now);
  for (let i = 0; i < 5; i++) {
    assertEquals(tryOnce(limiter, "a").allowed, true);
    state.now += 1000;
  }
  const refused = limiter.attempt("a");
  assert(!refused.allowed);
  assertEquals(refused.scope, "address");
  // The oldest failure was 5 s ago: it leaves the window 55 s from now.
  assertEquals(refused.retryAfterSeconds, 55);
  assertEquals(tryOnce(limiter, "b").allowed, true, "another key is independent");
  state.now += 55_000;
  assertEquals(tryOnce(limiter, "a").allowed, true, "the window slid");
  assertEquals(limiter.attempt("a").allowed, false, "only one slot freed");
});

Deno.test("successful attempts never count", () => {
  const { now } = clock();
  const limiter = new RateLimiter({ perKey: 2, windowMs: 60_000 }, now);
  for (let i = 0; i < 50; i++) assertEquals(tryOnce(limiter, "a", true).allowed, true);
  tryOnce(limiter, "a");
  const next = limiter.attempt("a");
  assert(next.allowed && !next.clean, "one failure: still allowed, no longer clean");
  next.finish(true);
});

Deno.test("running attempts hold their slot: parallel guesses cannot overshoot", () => {
  const { now } = clock();
  const limiter = new RateLimiter({ perKey: 3, windowMs: 60_000 }, now);
  const running = [limiter.attempt("a"), limiter.attempt("a"), limiter.attempt("a")];
  assert(running.every((d) => d.allowed));
  assertEquals(limiter.attempt("a").allowed, false);
  for (const d of running) if (d.allowed) d.finish(true);
  assertEquals(limiter.attempt("a").allowed, false, "three failures fill the window");
});

Deno.test("refused attempts do not extend the lockout", () => {
  const { state, now } = clock();
  const limiter = new RateLimiter({ perKey: 2, windowMs: 60_000 }, now);
  tryOnce(limiter, "a");
  tryOnce(limiter, "a");
  for (let i = 0; i < 100; i++) {
    state.now += 100;
    assertEquals(limiter.attempt("a").allowed, false);
  }
  state.now = 1_000_000 + 60_001;
  assertEquals(tryOnce(limiter, "a").allowed, true);
});

Deno.test("no global ceiling: thousands of failing addresses leave a fresh one allowed", () => {
  const { now } = clock();
  const limiter = new RateLimiter({ perKey: 5, windowMs: 60_000 }, now);
  for (let i = 0; i < 5000; i++) tryOnce(limiter, `10.0.${i >> 8}.${i & 255}`);
  const fresh = limiter.attempt("192.0.2.1");
  assert(fresh.allowed && fresh.clean);
});

Deno.test("memory stays bounded under many distinct keys", () => {
  const { state, now } = clock();
  const limiter = new RateLimiter({ perKey: 5, windowMs: 60_000 }, now);
  // All keys stay inside the window (12 s of 1 ms steps vs a 60 s window): pruning by age alone
  // cannot help, so the cap must.
  for (let i = 0; i < 12_000; i++) {
    tryOnce(limiter, `key-${i}`);
    state.now += 1;
  }
  assert(limiter.trackedKeys <= MAX_KEYS, `${limiter.trackedKeys} keys kept`);
  assertEquals(tryOnce(limiter, "key-11999").allowed, true);
});
