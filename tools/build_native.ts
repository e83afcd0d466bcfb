/**
 * Compiles the native helpers (today: the per-instance holder, native/holder/*.c) with gcc
 * into build/native/. Skips the compile when the binary is newer than every source. Without
 * gcc it prints how to get it and exits 1; nothing else in AiKore needs a compiler.
 *
 * Usage: deno run --allow-all tools/build_native.ts [--force] [--optional]
 * (--optional: a missing gcc or a failed build is a warning and exit 0, for `deno task start`).
 */
import { dirname, join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const SOURCES = join(ROOT, "native/holder");
/** The holder binary this tool produces. */
export const HOLDER_BINARY = join(ROOT, "build/native/aikore_holder");
/** The flags the holder is built with; the C must compile without a warning under them. */
export const CFLAGS = ["-Wall", "-Wextra", "-O2", "-std=gnu11"];

/** What a build did. */
export interface NativeBuild {
  binary: string;
  built: boolean;
  /** Compiler warnings (empty when clean). */
  warnings: string;
}

function sourceFiles(): string[] {
  return [...Deno.readDirSync(SOURCES)]
    .filter((entry) => entry.isFile && /\.[ch]$/.test(entry.name))
    .map((entry) => join(SOURCES, entry.name))
    .sort();
}

function modified(path: string): number {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

/** Builds the holder unless it is up to date; throws with a clear message when gcc is missing. */
export async function buildNative(
  options: { force?: boolean; compiler?: string; binary?: string } = {},
): Promise<NativeBuild> {
  const binary = options.binary ?? HOLDER_BINARY;
  const files = sourceFiles();
  const newest = Math.max(...files.map(modified));
  if (!options.force && modified(binary) > newest) return { binary, built: false, warnings: "" };
  Deno.mkdirSync(dirname(binary), { recursive: true });
  const temp = `${binary}.${Deno.pid}.tmp`;
  const args = [...CFLAGS, "-o", temp, ...files.filter((file) => file.endsWith(".c"))];
  let result: Deno.CommandOutput;
  try {
    const compiler = options.compiler ?? "gcc";
    result = await new Deno.Command(compiler, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        "gcc was not found, so the instance holder cannot be built. Install it " +
          "(Debian/Ubuntu: apt-get install gcc libc6-dev) and run this again, or set " +
          "AIKORE_HOLDER_BIN to a prebuilt aikore_holder.",
      );
    }
    throw error;
  }
  const warnings = new TextDecoder().decode(result.stderr);
  if (!result.success) throw new Error(`gcc failed to build the holder:\n${warnings}`);
  Deno.renameSync(temp, binary); // atomic: a running test never sees half a binary
  return { binary, built: true, warnings };
}

if (import.meta.main) {
  try {
    const build = await buildNative({ force: Deno.args.includes("--force") });
    if (build.warnings) Deno.stderr.writeSync(new TextEncoder().encode(build.warnings));
    const what = build.built ? "built" : "up to date";
    Deno.stdout.writeSync(new TextEncoder().encode(`holder ${what}: ${build.binary}\n`));
  } catch (error) {
    Deno.stderr.writeSync(new TextEncoder().encode(`${(error as Error).message}\n`));
    // `deno task start|test` go on without the holder: instances then run inside AiKore and
    // end with it (AiKore says so at start).
    if (Deno.args.includes("--optional")) {
      Deno.stderr.writeSync(
        new TextEncoder().encode(
          "Going on without the instance holder: instances and terminals will NOT survive a restart of AiKore.\n",
        ),
      );
      Deno.exit(0);
    }
    Deno.exit(1);
  }
}
