/**
 * Enforces the import direction of ARCHITECTURE.md:
 *   main.ts/app.ts/boot.ts → routes/ + lib/http + lib/cli → lib/instances → lower lib/* → lib/shared
 *   islands/ and components/ import only lib/shared, Preact and each other.
 *   Another lib folder is used only through its mod.ts (lib/shared files may be imported directly).
 *   Each lib folder imports only the folders listed for it in LIB_DEPENDENCIES (a new folder
 *   must be added there), and no production file is part of an import cycle.
 * Test files (`*_test.ts`, `test_support.ts`, `testdata/`), tests/ and tools/ may import anything. Exit code 1 on a violation.
 *
 * Usage: deno run --allow-read tools/check_imports.ts [root]
 */

/**
 * Which lib folders each lib folder may import (lib/shared is always allowed). Keep it
 * acyclic: lower folders never import higher ones.
 */
export const LIB_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  "lib/shared": [],
  "lib/log": [],
  "lib/libc": [],
  "lib/procfs": ["lib/libc"],
  "lib/fs": ["lib/log"],
  "lib/config": ["lib/log"],
  "lib/ports": [],
  "lib/guard": ["lib/log", "lib/procfs"],
  "lib/db": ["lib/log", "lib/fs"],
  "lib/auth": ["lib/db", "lib/log"],
  "lib/blueprints": ["lib/fs", "lib/log", "lib/process"],
  "lib/pty": ["lib/log", "lib/procfs", "lib/libc"],
  "lib/process": ["lib/pty", "lib/log", "lib/procfs", "lib/fs"],
  "lib/holder": ["lib/log", "lib/procfs", "lib/libc", "lib/pty", "lib/process", "lib/fs"],
  "lib/telemetry": ["lib/log", "lib/procfs"],
  "lib/nginx": ["lib/fs", "lib/log", "lib/ports", "lib/process", "lib/procfs"],
  "lib/gateway": ["lib/auth", "lib/db", "lib/log", "lib/nginx"],
  "lib/legacy_import": ["lib/db"],
  "lib/desktop": ["lib/process", "lib/fs", "lib/ports"],
  "lib/notify": ["lib/log"],
  "lib/downloads": ["lib/db", "lib/fs", "lib/log"],
  "lib/thumbnails": ["lib/log"],
  "lib/instances": [
    "lib/db",
    "lib/fs",
    "lib/log",
    "lib/nginx",
    "lib/ports",
    "lib/process",
    "lib/pty",
    "lib/procfs",
    "lib/blueprints",
    "lib/guard",
    "lib/telemetry",
    "lib/holder",
    "lib/auth",
    "lib/gateway",
    "lib/desktop",
    "lib/notify",
  ],
  "lib/http": ["lib/auth", "lib/instances", "lib/log", "lib/db", "lib/config", "lib/guard"],
  "lib/cli": [
    "lib/auth",
    "lib/blueprints",
    "lib/db",
    "lib/log",
    "lib/config",
    "lib/instances",
    "lib/fs",
    "lib/legacy_import",
  ],
};

const ROOT_FILES = new Set(["main.ts", "app.ts", "boot.ts", "boot_edge.ts", "server.ts", "cli.ts"]);

/** Rank of a source area: a file may import only areas of lower rank (or its own folder). */
function rank(area: string): number {
  if (area === "root") return 6;
  if (area === "routes") return 5;
  if (area === "lib/http" || area === "lib/cli") return 4;
  if (area === "lib/instances") return 3;
  if (area === "lib/shared") return 1;
  if (area === "islands" || area === "components") return 2;
  if (area.startsWith("lib/")) return 2;
  return 0;
}

/** Lower lib folders may use each other; everything else only imports downwards. */
function importAllowed(area: string, target: string): boolean {
  if (area === "root") return true;
  if (area === "routes" && (target === "components" || target === "islands")) return true;
  if (target === "islands" || target === "components") return false;
  const from = rank(area);
  const to = rank(target);
  if (to < from) return true;
  return to === from && from === 2 && target.startsWith("lib/");
}

/** The area of a repo-relative path, or null when unchecked. */
export function areaOf(path: string): string | null {
  if (ROOT_FILES.has(path)) return "root";
  const [top, second] = path.split("/");
  if (top === "routes" || top === "islands" || top === "components") return top;
  if (top === "lib" && second && !second.endsWith(".ts")) return `lib/${second}`;
  return null;
}

export interface Violation {
  file: string;
  specifier: string;
  reason: string;
}

function resolveRelative(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const piece of specifier.split("/")) {
    if (piece === "..") parts.pop();
    else if (piece !== ".") parts.push(piece);
  }
  return parts.join("/");
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Checks one file's imports; returns the violations. */
export function checkFile(file: string, source: string): Violation[] {
  if (isTestFile(file)) return [];
  const area = areaOf(file);
  if (!area) return [];
  const violations: Violation[] = [];
  for (const match of source.matchAll(IMPORT_RE)) {
    const specifier = match[1] ?? match[2] ?? "";
    if (!specifier.startsWith(".")) {
      if (
        (area === "islands" || area === "components" || area === "lib/shared") &&
        !/^(preact|preact\/.*|@preact\/signals|zod|@xterm\/.*|codemirror|@codemirror\/.*|split\.js)$/
          .test(specifier)
      ) {
        violations.push({ file, specifier, reason: `${area} may not import "${specifier}"` });
      }
      continue;
    }
    const target = resolveRelative(file, specifier);
    const targetArea = areaOf(target);
    if (target.startsWith("tests/") || target.startsWith("tools/")) {
      violations.push({
        file,
        specifier,
        reason: "production code may not import tests/ or tools/",
      });
      continue;
    }
    if (!targetArea || targetArea === area) continue;
    if (area === "islands" || area === "components") {
      if (!["lib/shared", "islands", "components"].includes(targetArea)) {
        violations.push({
          file,
          specifier,
          reason: `${area} may import only lib/shared, islands, components`,
        });
      }
    } else if (!importAllowed(area, targetArea)) {
      violations.push({
        file,
        specifier,
        reason: `${area} may not import ${targetArea} (wrong direction)`,
      });
    } else if (area.startsWith("lib/") && targetArea.startsWith("lib/")) {
      const problem = tableProblem(area, targetArea);
      if (problem) violations.push({ file, specifier, reason: problem });
    }
    if (
      targetArea.startsWith("lib/") && targetArea !== "lib/shared" && targetArea !== area &&
      !target.endsWith("/mod.ts")
    ) {
      violations.push({
        file,
        specifier,
        reason: `use ${targetArea}/mod.ts from outside the folder`,
      });
    }
  }
  return violations;
}

/** Why the table forbids `area` → `target` (both lib folders), or null when allowed. */
function tableProblem(area: string, target: string): string | null {
  if (target === "lib/shared") return null;
  const allowed = LIB_DEPENDENCIES[area];
  if (!allowed) return `${area} is not in LIB_DEPENDENCIES (tools/check_imports.ts): add it`;
  if (!allowed.includes(target)) {
    return `${area} may not import ${target} (not in its LIB_DEPENDENCIES entry)`;
  }
  return null;
}

/** The production import graph: repo-relative file → the files it imports. */
type ImportGraph = Map<string, string[]>;

function importedFiles(file: string, source: string): string[] {
  const targets: string[] = [];
  for (const match of source.matchAll(IMPORT_RE)) {
    const specifier = match[1] ?? match[2] ?? "";
    // `import type` is erased at run time but still ties the modules together; count it.
    if (specifier.startsWith(".")) targets.push(resolveRelative(file, specifier));
  }
  return targets;
}

/** Every import cycle among production files, each once, as the list of files around it. */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      const seen = state.get(next);
      if (seen === "open") cycles.push(stack.slice(stack.indexOf(next)));
      else if (seen === undefined) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

const isTestFile = (file: string) => /_test\.tsx?$|(^|\/)test_support\.ts$|\/testdata\//.test(file);

async function* sourceFiles(dir: string, prefix = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".") || entry.name === "node_modules" || entry.name === "build") {
      continue;
    }
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) yield* sourceFiles(`${dir}/${entry.name}`, path);
    else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

/** Checks every source file under `root`; returns the violations and how many files were checked. */
export async function checkTree(
  root: string,
): Promise<{ violations: Violation[]; checked: number }> {
  const violations: Violation[] = [];
  const graph: ImportGraph = new Map();
  let checked = 0;
  for await (const file of sourceFiles(root)) {
    if (!areaOf(file)) continue;
    checked++;
    const source = await Deno.readTextFile(`${root}/${file}`);
    violations.push(...checkFile(file, source));
    if (!isTestFile(file)) graph.set(file, importedFiles(file, source));
  }
  for (const cycle of findCycles(graph)) {
    violations.push({
      file: cycle[0] ?? "",
      specifier: cycle[1] ?? cycle[0] ?? "",
      reason: `import cycle: ${[...cycle, cycle[0]].join(" → ")}`,
    });
  }
  return { violations, checked };
}

if (import.meta.main) {
  const root = Deno.args[0] ?? ".";
  const { violations, checked } = await checkTree(root);
  const out = violations.map((v) => `${v.file}: ${v.specifier}: ${v.reason}`).join("\n");
  const encoder = new TextEncoder();
  if (violations.length) {
    await Deno.stderr.write(encoder.encode(`${out}\n${violations.length} import violation(s)\n`));
    Deno.exit(1);
  }
  await Deno.stdout.write(encoder.encode(`imports ok (${checked} files)\n`));
}
