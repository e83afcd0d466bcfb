/**
 * The kernel's pace in the PTY benchmarks: kernel_pace.c, a plain C reader of a pty, built with
 * gcc (the holder's flags) into a temporary folder and run beside AiKore's paths. Its figures are
 * what this machine allows a pty reader at all, so that the targets (which are ratios against
 * Deno's raw read and against peers) can be read against the machine's own floor.
 */
import type { EchoPath } from "./echo_measure.ts";
import { CFLAGS } from "../build_native.ts";
import { BENCH_ENV } from "./pty_bench_support.ts";

const SOURCE = new URL("./kernel_pace.c", import.meta.url).pathname;

/** One read of a program's whole output by the C reader. */
export interface KernelRead {
  bytes: number;
  ms: number;
  /** The C reader's own CPU ms (the program it runs excluded). */
  cpu: number;
}

/** Compiles kernel_pace.c; returns the binary and the folder to remove when done. */
export async function buildKernelPace(): Promise<{ binary: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-kernel-pace-" });
  const binary = `${dir}/kernel_pace`;
  const { success, stderr } = await new Deno.Command("gcc", {
    args: [...CFLAGS, "-o", binary, SOURCE, "-lutil"],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`gcc could not build ${SOURCE}:\n${new TextDecoder().decode(stderr)}`);
  }
  return { binary, dir };
}

/** Runs `argv` on a pty and reads it to its end in C. */
export async function kernelRead(binary: string, argv: string[]): Promise<KernelRead> {
  const { success, stdout, stderr } = await new Deno.Command(binary, {
    args: ["read", ...argv],
    env: BENCH_ENV,
    clearEnv: true,
    cwd: "/tmp",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`kernel_pace read failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout)) as KernelRead;
}

/**
 * An echo path timed in C: each key goes down a pipe to kernel_pace, which writes it to the
 * shell's pty and times the round trip to the first output itself (the pipe is not timed).
 */
export function kernelEchoPath(binary: string, argv: string[]): EchoPath {
  const child = new Deno.Command(binary, {
    args: ["echo", ...argv],
    env: BENCH_ENV,
    clearEnv: true,
    cwd: "/tmp",
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const keys = child.stdin.getWriter();
  const encoder = new TextEncoder();
  let listener: (measuredMs?: number) => void = () => {};
  const lines = (async () => {
    let pending = "";
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      pending += text;
      let end: number;
      while ((end = pending.indexOf("\n")) >= 0) {
        listener(Number(pending.slice(0, end)));
        pending = pending.slice(end + 1);
      }
    }
  })();
  return {
    label: "C: pty write → read",
    sendKey(key) {
      keys.write(encoder.encode(key)).catch(() => {});
    },
    onOutput(each) {
      listener = each;
    },
    async close() {
      await keys.close().catch(() => {});
      await lines;
      await child.status;
    },
  };
}
