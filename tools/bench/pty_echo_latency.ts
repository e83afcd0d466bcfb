/**
 * Keystroke echo latency: one key sent → its echo received, for an interactive bash
 * (readline echo) on a pty. Measured twice in one run:
 *   1. raw: Pty.write → Pty.onData (the floor: FFI + kernel + bash);
 *   2. WebSocket: {type:"input"} text frame → socket bridge → pty → bash → binary frame back
 *      to a loopback WebSocket client in this process (an interactive terminal);
 *   3. the same through the console path: bash under its per-instance holder → attachHolderPty
 *      → a "drop" session (as consoles have) → bridge → WebSocket.
 * Every 50 keys, Ctrl-U clears the line (not timed) so the line never wraps.
 *
 * Re-run: deno run --allow-all tools/bench/pty_echo_latency.ts [keystrokes=300]
 */
import type { PtySessionOptions } from "../../lib/pty/mod.ts";
import { encodeClientMessage } from "../../lib/shared/terminal_protocol.ts";
import { percentile, print, type PtyFactory, serveBridged } from "./pty_bench_support.ts";
import { holderFarm } from "./pty_bench_paths.ts";
import { ECHO_BASH, measureEcho, rawPtyEcho } from "./echo_measure.ts";

const keystrokes = Number(Deno.args[0] ?? 300);

async function overWebSocket(
  session: PtySessionOptions = {},
  makePty?: PtyFactory,
): Promise<number[]> {
  const server = serveBridged(ECHO_BASH, session, {}, makePty);
  const socket = new WebSocket(server.url);
  socket.binaryType = "arraybuffer";
  await new Promise((resolve) => (socket.onopen = resolve));
  try {
    return await measureEcho(
      keystrokes,
      (key) => socket.send(encodeClientMessage({ type: "input", data: key })),
      (listener) => {
        socket.onmessage = (event) => {
          if (typeof event.data !== "string") listener();
        };
      },
    );
  } finally {
    socket.close();
    await server.close();
  }
}

const summary = (samples: number[]) =>
  `p50 ${percentile(samples, 50).toFixed(3)} ms, p90 ${percentile(samples, 90).toFixed(3)} ms, ` +
  `p99 ${percentile(samples, 99).toFixed(3)} ms, max ${Math.max(...samples).toFixed(3)} ms ` +
  `(${samples.length} keys)`;

print(`Keystroke echo latency, interactive bash on a pty (${navigator.hardwareConcurrency} cores)`);
const rawSamples = await rawPtyEcho(keystrokes);
print(`raw pty write → read:          ${summary(rawSamples)}`);
const wsSamples = await overWebSocket();
print(`WebSocket → bridge → pty → WS: ${summary(wsSamples)}`);
const farm = await holderFarm();
try {
  const heldSamples = await overWebSocket({ slowViewer: "drop" }, farm.shell());
  print(`WS → bridge → holder → WS:     ${summary(heldSamples)}`);
} finally {
  await farm.close();
}
print(`load average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
print("re-run: deno run --allow-all tools/bench/pty_echo_latency.ts [keystrokes=300]");
