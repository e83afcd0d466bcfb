/**
 * Keystroke echo latency through the per-instance holder, beside today's direct pty, in one
 * run: one key sent → its echo received, for an interactive bash (readline echo):
 *   1. direct: Pty.write → Pty.onData in Deno (the floor: FFI + kernel + bash);
 *   2. holder: HolderConnection.write → unix socket → holder → pty → bash → holder → socket.
 * Keys alternate between the two (echo_measure.ts), so that the machine's drift hits both.
 *
 * Re-run: deno run --allow-all tools/bench/holder_echo_latency.ts [keystrokes=300]
 */
import { spawnHolder } from "../../lib/holder/mod.ts";
import { isRunning } from "../../lib/procfs/mod.ts";
import { buildNative } from "../build_native.ts";
import { BENCH_ENV, print } from "./pty_bench_support.ts";
import { ECHO_BASH, type EchoPath, echoSummary, measureEcho, rawEchoPath } from "./echo_measure.ts";

const keystrokes = Number(Deno.args[0] ?? 300);

async function holderPath(root: string, binary: string): Promise<EchoPath> {
  const handle = await spawnHolder({
    argv: ECHO_BASH,
    env: BENCH_ENV,
    cwd: "/tmp",
    dir: `${root}/run`,
    logPath: `${root}/console.log`,
    marker: "bench-echo",
  }, { binary });
  const connection = await handle.connect();
  let listener = () => {};
  await connection.attach({ from: "now", hold: true }, { onOutput: () => listener() });
  return {
    label: "through the holder",
    sendKey: (key) => void connection.write(key).catch(() => {}),
    onOutput: (wake) => (listener = wake),
    async close() {
      await connection.signal("SIGKILL", "session");
      connection.close();
      // The holder closes its log and goes once the app is gone: then the folder can go too.
      while (isRunning(handle.holderPid)) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

const binary = (await buildNative()).binary;
const root = await Deno.makeTempDir({ prefix: "aikore-he-" });
try {
  print(`Echo latency, ${keystrokes} keys into an interactive bash, interleaved key by key`);
  const paths = [rawEchoPath(), await holderPath(root, binary)];
  try {
    const [direct = [], held = []] = await measureEcho(paths, keystrokes);
    print(`${"direct pty in Deno:".padEnd(22)} ${echoSummary(direct)}`);
    print(`${"through the holder:".padEnd(22)} ${echoSummary(held, { raw: direct })}`);
  } finally {
    for (const path of paths) await path.close();
  }
  print(`load average at the end: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  print("re-run: deno run --allow-all tools/bench/holder_echo_latency.ts [keystrokes=300]");
} finally {
  // The holder may still be closing its log in there: a leftover temp folder is only noted.
  await Deno.remove(root, { recursive: true }).catch((error) =>
    print(`could not remove ${root}: ${error}`)
  );
}
