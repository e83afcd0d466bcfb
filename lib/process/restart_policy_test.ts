import { deepEqual, equal } from "node:assert/strict";
import { backoffDelayMs, RestartTracker } from "./restart_policy.ts";

Deno.test("back-off doubles from 1 s and caps at 60 s", () => {
  const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8, 50].map(backoffDelayMs);
  deepEqual(delays, [1000, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
});

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

Deno.test("quick failures back off and give up at the fifth within five minutes", () => {
  const time = clock();
  const tracker = new RestartTracker({}, time.now);
  const decisions = [];
  for (let i = 0; i < 5; i++) {
    tracker.started();
    time.advance(200);
    decisions.push(tracker.ended(true));
    time.advance(backoffDelayMs(i + 1));
  }
  deepEqual(decisions.slice(0, 4).map((d) => d.action === "restart" && d.delayMs), [
    1000,
    2000,
    4000,
    8000,
  ]);
  deepEqual(decisions[4], { action: "give-up", failures: 5 });
});

Deno.test("a run that stayed up past the start threshold resets the count", () => {
  const time = clock();
  const tracker = new RestartTracker({ startSeconds: 10 }, time.now);
  for (let i = 0; i < 3; i++) {
    tracker.started();
    time.advance(100);
    tracker.ended(true);
  }
  equal(tracker.consecutiveFailures, 3);
  tracker.started();
  time.advance(10_000);
  deepEqual(tracker.ended(true), { action: "restart", delayMs: 1000, consecutiveFailures: 1 });
});

Deno.test("failures older than the window no longer count", () => {
  const time = clock();
  const tracker = new RestartTracker({ maxFailures: 3, windowMs: 60_000 }, time.now);
  tracker.started();
  tracker.ended(true);
  tracker.started();
  tracker.ended(true);
  time.advance(61_000);
  tracker.started();
  const decision = tracker.ended(true);
  deepEqual(decision, { action: "restart", delayMs: 1000, consecutiveFailures: 1 });
});

Deno.test("a clean exit asks for nothing; reset forgets the history", () => {
  const time = clock();
  const tracker = new RestartTracker({}, time.now);
  tracker.started();
  tracker.ended(true);
  tracker.started();
  deepEqual(tracker.ended(false), { action: "none" });
  equal(tracker.consecutiveFailures, 1);
  tracker.reset();
  equal(tracker.consecutiveFailures, 0);
});
