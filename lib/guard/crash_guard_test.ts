import { deepEqual, equal, ok } from "node:assert/strict";
import { createLogger } from "../log/mod.ts";
import { background } from "./background.ts";
import { describe } from "./crash_guard.ts";

const CRASHY = new URL("./testdata/crashy.ts", import.meta.url).pathname;

Deno.test("with the crash guard, an unhandled rejection and an uncaught exception are logged and the program keeps serving", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CRASHY],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const errors = new TextDecoder().decode(stderr);
  equal(code, 0, errors);
  equal(new TextDecoder().decode(stdout).trim(), "served 200 alive");
  const lines = errors.split("\n").filter((line) => line !== "");
  equal(lines.length, 2, errors);
  // Which of the two is reported first depends on the event loop: match each by content.
  const rejection = lines.find((line) => line.includes("unhandled promise rejection"));
  const exception = lines.find((line) => line.includes("uncaught exception"));
  ok(rejection?.includes("AiKore keeps serving"), errors);
  ok(
    rejection?.includes('TransitionError: cannot go from \\"stopped\\" to \\"exited\\"'),
    rejection,
  );
  ok(rejection?.includes("crashy.ts"), "the stack names the file");
  ok(exception?.includes("RangeError: thrown in a timer"), exception);
  ok(lines[1]?.includes("count=2"), lines[1]);
});

Deno.test("background logs a failed task with its context and swallows nothing else", async () => {
  const lines: string[] = [];
  const logger = createLogger("info", "test", (line) => lines.push(line));
  background(Promise.reject(new Error("disk full")), logger, { task: "gateway sync", id: 7 });
  background(() => Promise.resolve(1), logger, { task: "fine" });
  background(
    () => {
      throw new TypeError("sync throw");
    },
    logger,
    { task: "bad factory" },
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  equal(lines.length, 2, lines.join("\n"));
  ok(lines[0]?.includes("background task failed: gateway sync"));
  ok(lines[0]?.includes("id=7") && lines[0]?.includes('"Error: disk full"'), lines[0]);
  ok(lines[1]?.includes("background task failed: bad factory"));
  ok(lines[1]?.includes("TypeError: sync throw"), lines[1]);
});

Deno.test("describe gives name, message and stack of an Error, and a readable text otherwise", () => {
  const described = describe(new RangeError("out"));
  equal(described.error, "RangeError: out");
  ok(described.stack?.includes("crash_guard_test.ts"));
  deepEqual(describe("plain"), { error: "plain" });
  deepEqual(describe({ code: 5 }), { error: '{"code":5}' });
  deepEqual(describe(undefined), { error: "undefined" });
});
