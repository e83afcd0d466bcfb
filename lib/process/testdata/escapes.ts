/** Helpers shared by the escape tests and their subprocess "AiKore" scripts. */
import { isRunning } from "../../procfs/mod.ts";

/** The kinds of escape that escape.sh starts. */
export const ESCAPE_KINDS = [
  "marker-dropped",
  "marker-changed",
  "double-fork",
  "environ-overwritten",
] as const;
export type EscapeKind = typeof ESCAPE_KINDS[number] | "double-fork-wait";

/** Absolute path of escape.sh. */
export const ESCAPE_SCRIPT = new URL("./escape.sh", import.meta.url).pathname;

/** Compiles overwrite_environ.c into `dir`; returns the binary's path. */
export async function compileOverwriter(dir: string): Promise<string> {
  const source = new URL("./overwrite_environ.c", import.meta.url).pathname;
  const binary = `${dir}/overwrite_environ`;
  const { code, stderr } = await new Deno.Command("gcc", {
    args: ["-O1", "-o", binary, source],
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`gcc failed: ${new TextDecoder().decode(stderr)}`);
  return binary;
}

/** Waits (≤ 10 s) for an escapee's "<pid> <port>" report. */
export async function readReport(file: string): Promise<{ pid: number; port: number }> {
  const end = performance.now() + 10_000;
  for (;;) {
    try {
      const [pid, port] = Deno.readTextFileSync(file).trim().split(" ").map(Number);
      if (pid && port) return { pid, port };
    } catch {
      // not written yet
    }
    if (performance.now() > end) throw new Error(`no report in ${file} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** True when 127.0.0.1:`port` can be bound again (nobody holds it). */
export function portFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  return isRunning(pid);
}
