/**
 * Keystroke echo latency through the per-instance holder, beside today's direct pty, in one
 * run: one key sent → its echo received, for an interactive bash (readline echo):
 *   1. direct: Pty.write → Pty.onData in Deno (the floor: FFI + kernel + bash);
 *   2. holder: HolderConnection.write → unix socket → holder → pty → bash → holder → socket.
 * Every 50 keys, Ctrl-U clears the line (not timed) so the line never wraps.
 *
 * Re-run: deno run --allow-all tools/bench/holder_echo_latency.ts [keystrokes=300]
 */
import { spawnHolder } from "../../lib/holder/mod.ts";
import { buildNative } from "../build_native.ts";
import { BENCH_ENV, percentile, print } from "./pty_bench_support.ts";
import { ECHO_BASH, measureEcho, rawPtyEcho } from "./echo_measure.ts";

const keystrokes = Number(Deno.args[0] ?? 300);

async function throughHolder(root: string, binary: string): Promise<number[]> {
  const handle = await spawnHolder({
    argv: ECHO_BASH,
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
    return await measureEcho(
      keystrokes,
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
  row("direct pty in Deno (today):", await rawPtyEcho(keystrokes));
  row("through the holder:", await throughHolder(root, binary));
  print(`load average at the end: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  print("re-run: deno run --allow-all tools/bench/holder_echo_latency.ts [keystrokes=300]");
} finally {
  // The holder may still be closing its log in there: a leftover temp folder is only noted.
  await Deno.remove(root, { recursive: true }).catch((error) =>
    print(`could not remove ${root}: ${error}`)
  );
}
