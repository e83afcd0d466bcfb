/**
 * Keystroke echo latency: one key sent → its echo received, for an interactive bash
 * (readline echo) on a pty, four ways timed key by key in one run (echo_measure.ts):
 *   1. raw: Pty.write → Pty.onData (the floor: FFI + kernel + bash);
 *   2. an interactive terminal as AiKore runs it: {type:"input"} text frame → socket bridge →
 *      the shell under its holder (spawnHeldShell) → binary frame back to a loopback WebSocket
 *      client in this process;
 *   3. the same with the shell on a pty of this process (the terminals' fallback, no holder);
 *   4. the console path: bash under its per-instance holder → attachHolderPty → a "drop"
 *      session (as consoles have) → bridge → WebSocket;
 *   5. the machine's floor: a C program's own write → read round trip (kernel_pace.c), for
 *      reading the others against what this machine allows at all.
 * The target is on the p50 of 2–4; "above raw" is what the path adds to Deno's own read,
 * "above C" what it adds to the machine's floor.
 *
 * Re-run: deno run --allow-all tools/bench/pty_echo_latency.ts [keystrokes=300]
 */
import type { PtySessionOptions } from "../../lib/pty/mod.ts";
import { encodeClientMessage } from "../../lib/shared/terminal_protocol.ts";
import { print, type PtyFactory, serveBridged } from "./pty_bench_support.ts";
import { holderFarm } from "./pty_bench_paths.ts";
import { TERMINAL_SESSION } from "../../lib/instances/mod.ts";
import { ECHO_BASH, type EchoPath, echoSummary, measureEcho, rawEchoPath } from "./echo_measure.ts";
import { buildKernelPace, kernelEchoPath } from "./kernel_pace_support.ts";

const keystrokes = Number(Deno.args[0] ?? 300);

/** Keys as the browser sends them, over a real loopback WebSocket to a bridged session. */
async function webSocketPath(
  label: string,
  session: PtySessionOptions = {},
  makePty?: PtyFactory,
): Promise<EchoPath> {
  const server = serveBridged(ECHO_BASH, session, {}, makePty);
  const socket = new WebSocket(server.url);
  socket.binaryType = "arraybuffer";
  await new Promise((resolve) => (socket.onopen = resolve));
  return {
    label,
    sendKey: (key) => socket.send(encodeClientMessage({ type: "input", data: key })),
    onOutput(listener) {
      socket.onmessage = (event) => {
        if (typeof event.data !== "string") listener();
      };
    },
    async close() {
      socket.close();
      await server.close();
    },
  };
}

print(`Keystroke echo latency, interactive bash on a pty (${navigator.hardwareConcurrency} cores)`);
const farm = await holderFarm();
const kernelPace = await buildKernelPace();
const paths = [
  rawEchoPath(),
  kernelEchoPath(kernelPace.binary, ECHO_BASH),
  await webSocketPath("terminal: WS → holder → WS", TERMINAL_SESSION, farm.terminal()),
  await webSocketPath("terminal, no holder: WS → pty", TERMINAL_SESSION),
  await webSocketPath("console: WS → holder → WS", { slowViewer: "drop" }, farm.shell()),
];
try {
  const samples = await measureEcho(paths, keystrokes);
  const [raw = [], kernel = []] = samples;
  paths.forEach((path, index) => {
    const floors = index > 1 ? { raw, C: kernel } : index === 1 ? {} : { C: kernel };
    print(`${(path.label + ":").padEnd(31)} ${echoSummary(samples[index] ?? [], floors)}`);
  });
} finally {
  for (const path of paths) await path.close();
  await farm.close();
  await Deno.remove(kernelPace.dir, { recursive: true });
}
print("target: p50 ≤ 0.5 ms through the bridge; keys are interleaved across the paths");
print(
  "the C line is the machine's floor: a C program's own pty round trip, paced like the others " +
    "(2 ms between keys, so idle cores wake for each key as they do for a person's typing)",
);
print(`load average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
print("re-run: deno run --allow-all tools/bench/pty_echo_latency.ts [keystrokes=300]");
