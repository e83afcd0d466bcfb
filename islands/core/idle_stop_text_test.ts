import { assertEquals } from "../../tests/helpers/assert.ts";
import { idleStopProblem, MAX_IDLE_STOP_MINUTES } from "../../lib/shared/idle_stop.ts";
import {
  describeIdleStop,
  idleStopText,
  idleStopTextProblem,
  idleStopValue,
  sameIdleStop,
} from "./idle_stop_text.ts";

Deno.test("typed idle-stop text becomes the API value; off is null, bad text is kept for the server", () => {
  const cases: [string, unknown][] = [
    ["", null],
    ["   ", null],
    ["0", null],
    ["007", 7],
    [" 30 ", 30],
    ["+5", 5],
    [String(MAX_IDLE_STOP_MINUTES), MAX_IDLE_STOP_MINUTES],
    [String(MAX_IDLE_STOP_MINUTES + 1), MAX_IDLE_STOP_MINUTES + 1],
    ["-1", -1],
    ["2.5", 2.5],
    ["5 min", "5 min"],
    ["1e3", "1e3"],
    ["off", "off"],
  ];
  for (const [text, value] of cases) assertEquals(idleStopValue(text), value, `"${text}"`);
});

Deno.test("the problem of typed text is exactly the server's rule applied to what would be sent", () => {
  for (const text of ["", "0", "30", "10080", "10081", "-1", "2.5", "abc", "1e3"]) {
    assertEquals(idleStopTextProblem(text), idleStopProblem(idleStopValue(text)), `"${text}"`);
  }
  assertEquals(idleStopTextProblem("30"), null);
  assertEquals(idleStopTextProblem("-1"), "must be in 0-10080 minutes (0 or null: off)");
  assertEquals(idleStopTextProblem("abc"), "must be a whole number of minutes (0 or null: off)");
});

Deno.test("stored policies show as text and compare by meaning", () => {
  assertEquals([idleStopText(null), idleStopText(undefined), idleStopText(0)], ["", "", ""]);
  assertEquals(idleStopText(45), "45");
  assertEquals(sameIdleStop("", "0"), true);
  assertEquals(sameIdleStop("30", " 030"), true);
  assertEquals(sameIdleStop("30", "31"), false);
  assertEquals(sameIdleStop("x", "x"), true);
  assertEquals([describeIdleStop(""), describeIdleStop("45"), describeIdleStop("-3")], [
    "off",
    "45 min",
    "-3",
  ]);
});
