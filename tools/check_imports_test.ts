import { deepEqual, equal, ok } from "node:assert/strict";
import { checkTree, findCycles, LIB_DEPENDENCIES } from "./check_imports.ts";

/** Writes `files` (path → source) under a temp root and runs the checker on it. */
async function check(files: Record<string, string>) {
  const root = await Deno.makeTempDir({ prefix: "aikore-imports-" });
  try {
    for (const [path, source] of Object.entries(files)) {
      await Deno.mkdir(`${root}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${path}`, source);
    }
    return (await checkTree(root)).violations.map((v) => `${v.file}: ${v.reason}`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("the import checker refuses an edge that the folder's dependency table does not list", async () => {
  const violations = await check({
    "lib/pty/mod.ts": 'export { x } from "./x.ts";\n',
    "lib/pty/x.ts": 'import { stop } from "../process/mod.ts";\nexport const x = stop;\n',
    "lib/process/mod.ts": "export const stop = 1;\n",
  });
  deepEqual(violations, [
    "lib/pty/x.ts: lib/pty may not import lib/process (not in its LIB_DEPENDENCIES entry)",
  ]);
});

Deno.test("the import checker refuses an import cycle, also inside one folder", async () => {
  const violations = await check({
    "lib/process/a.ts": 'import { b } from "./b.ts";\nexport const a = () => b;\n',
    "lib/process/b.ts": 'import { c } from "./c.ts";\nexport const b = () => c;\n',
    "lib/process/c.ts": 'import { a } from "./a.ts";\nexport const c = () => a;\n',
    "lib/process/fine.ts": 'import { a } from "./a.ts";\nexport const f = a;\n',
  });
  deepEqual(violations, [
    "lib/process/a.ts: import cycle: lib/process/a.ts → lib/process/b.ts → lib/process/c.ts → lib/process/a.ts",
  ]);
});

Deno.test("a lib folder missing from the table is named; tests and allowed edges pass", async () => {
  const violations = await check({
    "lib/newthing/mod.ts": 'import { log } from "../log/mod.ts";\nexport const n = log;\n',
    "lib/log/mod.ts": "export const log = 1;\n",
    "lib/process/mod.ts": 'import { log } from "../log/mod.ts";\nexport const p = log;\n',
    "lib/log/log_test.ts":
      'import { n } from "../newthing/mod.ts";\nimport "../log/log_test.ts";\n',
  });
  deepEqual(violations, [
    "lib/newthing/mod.ts: lib/newthing is not in LIB_DEPENDENCIES (tools/check_imports.ts): add it",
  ]);
});

Deno.test("the dependency table itself is acyclic and only names lib folders", () => {
  const graph = new Map(
    Object.entries(LIB_DEPENDENCIES).map(([folder, deps]) => [folder, [...deps]]),
  );
  deepEqual(findCycles(graph), []);
  for (const [folder, deps] of graph) {
    ok(folder.startsWith("lib/"), folder);
    for (const dep of deps) ok(graph.has(dep), `${folder} → ${dep} names a known folder`);
  }
  equal(LIB_DEPENDENCIES["lib/shared"]?.length, 0);
});
