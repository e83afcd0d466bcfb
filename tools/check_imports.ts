/**
 * Enforces the import direction of ARCHITECTURE.md:
 *   main.ts/app.ts/boot.ts → routes/ + lib/http + lib/cli → lib/instances → lower lib/* → lib/shared
 *   islands/ and components/ import only lib/shared, Preact and each other.
 *   Another lib folder is used only through its mod.ts (lib/shared files may be imported directly).
 * Test files (`*_test.ts`, `test_support.ts`, `testdata/`), tests/ and tools/ may import anything. Exit code 1 on a violation.
 *
 * Usage: deno run --allow-read tools/check_imports.ts [root]
 */

const ROOT_FILES = new Set(["main.ts", "app.ts", "boot.ts", "server.ts", "cli.ts"]);

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
  if (/_test\.tsx?$|(^|\/)test_support\.ts$|\/testdata\//.test(file)) return [];
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

if (import.meta.main) {
  const root = Deno.args[0] ?? ".";
  const violations: Violation[] = [];
  let checked = 0;
  for await (const file of sourceFiles(root)) {
    if (!areaOf(file)) continue;
    checked++;
    violations.push(...checkFile(file, await Deno.readTextFile(`${root}/${file}`)));
  }
  const out = violations.map((v) => `${v.file}: ${v.specifier}: ${v.reason}`).join("\n");
  const encoder = new TextEncoder();
  if (violations.length) {
    await Deno.stderr.write(encoder.encode(`${out}\n${violations.length} import violation(s)\n`));
    Deno.exit(1);
  }
  await Deno.stdout.write(encoder.encode(`imports ok (${checked} files)\n`));
}
