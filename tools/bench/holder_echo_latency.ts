/**
 * Keystroke echo latency through the per-instance holder, beside today's direct pty, in one
 * run: one key sent → its echo received, for an interactive bash (readline echo):
 *   1. direct: Pty.write → Pty.onData in Deno (the floor: FFI + kernel + bash);
 *   2. holder: HolderConnection.write → unix socket → holder → pty → bash → holder → socket.
 * Every 50 keys, Ctrl-U clears the line (not timed) so the line never wraps.
 *
 * Re-run: deno run --allow-all tools/bench/holder_echo_latency.ts [keystrokes=300]
 */
import { spawnPty } from "../../lib/pty/mod.ts";
import { spawnHolder } from "../../lib/holder/mod.ts";
import { buildNative } from "../build_native.ts";
import { BENCH_ENV, percentile, print } from "./pty_bench_support.ts";

const keystrokes = Number(Deno.args[0] ?? 300);
const BASH = ["bash", "--norc", "--noprofile", "-i"];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends keys one at a time and times each until the next output arrives. */
async function measure(
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
    if (i >= 20) samples.push(performance.now() - started); // the first 20 warm up
    await sleep(2);
  }
  return samples;
}

async function direct(): Promise<number[]> {
  const [file = "bash", ...args] = BASH;
  const pty = spawnPty({ file, args, env: BENCH_ENV, cwd: "/tmp" });
  try {
    return await measure((key) => pty.write(key), (listener) => pty.onData(listener));
  } finally {
    await pty.close();
  }
}

async function throughHolder(root: string, binary: string): Promise<number[]> {
  const handle = await spawnHolder({
    argv: BASH,
    env: BENCH_ENV,
    cwd: "/tmp",
    dir: `${root}/run`,
    logPath: `${root}/console.log`,
    marker: "bench-echo",
  }, { binary });
  const connection = await handle.connect();
  try {
    let listener = () => {};
    await connection.attach({ from: "now", hold: true }, { onOutput: () => listener() });
    return await measure(
      (key) => connection.write(key).catch(() => {}),
      (wake) => (listener = wake),
    );
  } finally {
    await connection.signal("SIGKILL", "session");
    connection.close();
  }
}

const binary = (await buildNative()).binary;
const root = await Deno.makeTempDir({ prefix: "aikore-he-" });
try {
  const row = (label: string, samples: number[]) =>
    print(
      `${label.padEnd(28)} p50 ${percentile(samples, 50).toFixed(3)} ms, p90 ${
        percentile(samples, 90).toFixed(3)
      } ms, p99 ${percentile(samples, 99).toFixed(3)} ms`,
    );
  print(`Echo latency, ${keystrokes} keys into an interactive bash`);
  row("direct pty in Deno (today):", await direct());
  row("through the holder:", await throughHolder(root, binary));
  print(`load average at the end: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  print("re-run: deno run --allow-all tools/bench/holder_echo_latency.ts [keystrokes=300]");
} finally {
  await Deno.remove(root, { recursive: true });
}
