/**
 * Keystroke echo timing shared by the echo-latency benches: keys go one at a time into an
 * interactive bash and each is timed until the next output arrives. Every 50 keys, Ctrl-U
 * clears the line (not timed) so the line never wraps; the first 20 keys warm up.
 */
import { spawnPty } from "../../lib/pty/mod.ts";
import { BENCH_ENV } from "./pty_bench_support.ts";

/** An interactive bash without rc files (readline echo). */
export const ECHO_BASH = ["bash", "--norc", "--noprofile", "-i"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `keystrokes` keys one at a time and returns each one's echo time in ms. */
export async function measureEcho(
  keystrokes: number,
  sendKey: (key: string) => void,
  onOutput: (listener: () => void) => void,
): Promise<number[]> {
  let waiter: (() => void) | null = null;
  onOutput(() => {
    const wake = waiter;
    waiter = null;
    wake?.();
  });
  const samples: number[] = [];
  await sleep(300); // let bash print its prompt
  for (let i = 0; samples.length < keystrokes; i++) {
    if (i % 50 === 49) {
      sendKey("\x15");
      await sleep(20);
      continue;
    }
    const echoed = new Promise<void>((resolve) => (waiter = resolve));
    const started = performance.now();
    sendKey(String.fromCharCode(97 + (i % 26)));
    await echoed;
    if (i >= 20) samples.push(performance.now() - started);
    await sleep(2);
  }
  return samples;
}

/** The floor: Pty.write → Pty.onData in Deno (FFI + kernel + bash). */
export async function rawPtyEcho(keystrokes: number): Promise<number[]> {
  const [file = "bash", ...args] = ECHO_BASH;
  const pty = spawnPty({ file, args, env: BENCH_ENV, cwd: "/tmp" });
  try {
    return await measureEcho(keystrokes, (key) => pty.write(key), (l) => pty.onData(l));
  } finally {
    await pty.close();
  }
}
