import { deepEqual } from "node:assert/strict";
import plugin from "./promise_plugin.ts";

/** The rule ids reported for `source` as a production file (lib/) and as a test file. */
function lint(source: string, file = "/repo/lib/x/code.ts"): string[] {
  return Deno.lint.runPlugin(plugin, file, source).map((d) => d.id);
}

Deno.test("a dropped or foreign-stored .then chain without .catch is refused", () => {
  deepEqual(lint("p.then((x) => x);"), ["aikore/then-needs-catch"]);
  deepEqual(lint("void p.then((x) => x);"), ["aikore/then-needs-catch"]);
  deepEqual(lint("run.exitHandled = p.then((s) => onExit(s));"), ["aikore/then-needs-catch"]);
  deepEqual(lint("p.then((x) => x).then((y) => y);"), [
    "aikore/then-needs-catch",
    "aikore/then-needs-catch",
  ]);
});

Deno.test("a handled or handed-on .then chain passes", () => {
  for (
    const source of [
      "p.then((x) => x).catch((e) => log(e));",
      "p.then((x) => x, (e) => log(e));",
      "async function f() { await p.then((x) => x); }",
      "function f() { return p.then((x) => x); }",
      "const q = p.then((x) => x);",
      "class A { constructor() { this.done = p.then((x) => x); } }",
      "use(p.then((x) => x));",
      "const f = () => p.then((x) => x);",
    ]
  ) deepEqual(lint(source), [], source);
});

Deno.test("a statement that drops the promise of a same-file async function is refused", () => {
  deepEqual(lint("async function save() {}\nsave();"), ["aikore/no-floating-call"]);
  deepEqual(lint("const save = async () => {};\nsave();"), ["aikore/no-floating-call"]);
  deepEqual(lint("async function save() {}\nvoid save();"), ["aikore/no-floating-call"]);
  deepEqual(
    lint("class A { async #sync() {}\n run() { this.#sync(); } }"),
    ["aikore/no-floating-call"],
  );
  deepEqual(lint("async function save() {}\nasync function f() { await save(); }"), []);
  deepEqual(lint("function save() {}\nsave();"), []);
  deepEqual(lint("Deno.remove(path);"), ["aikore/no-floating-call"]);
  deepEqual(lint("void Deno.writeTextFile(path, text);"), ["aikore/no-floating-call"]);
  deepEqual(lint("Deno.removeSync(path);\nawait Deno.remove(path);"), []);
  deepEqual(lint("async function save() {}\nbackground(save(), logger, { task: 'save' });"), []);
});

Deno.test("tests, test support and tools are not checked", () => {
  deepEqual(lint("p.then((x) => x);", "/repo/lib/x/code_test.ts"), []);
  deepEqual(lint("p.then((x) => x);", "/repo/lib/x/test_support.ts"), []);
  deepEqual(lint("p.then((x) => x);", "/repo/tools/bench/a.ts"), []);
  deepEqual(lint("p.then((x) => x);", "/repo/routes/api/a.ts"), ["aikore/then-needs-catch"]);
});
