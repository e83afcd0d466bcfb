/**
 * The environment of `pid` once it runs `program`. A process that was just forked, or that is
 * exec'ing (an app that prints "ready" and then execs its server), shows its parent's or an empty
 * /proc/PID/environ until the exec is over.
 */
export async function environAfterExec(pid: number, program: string): Promise<string[]> {
  for (let i = 0; i < 300; i++) {
    if (Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0")[0]?.endsWith(program)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Deno.readTextFileSync(`/proc/${pid}/environ`).split("\0");
}
