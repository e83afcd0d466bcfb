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
import { type PtySessionOptions, spawnPty } from "../../lib/pty/mod.ts";
import { encodeClientMessage } from "../../lib/shared/terminal_protocol.ts";
import {
  BENCH_ENV,
  percentile,
  print,
  type PtyFactory,
  serveBridged,
} from "./pty_bench_support.ts";
import { holderFarm } from "./pty_bench_paths.ts";

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

async function raw(): Promise<number[]> {
  const [file = "bash", ...args] = BASH;
  const pty = spawnPty({ file, args, env: BENCH_ENV, cwd: "/tmp" });
  try {
    return await measure((key) => pty.write(key), (listener) => pty.onData(listener));
  } finally {
    await pty.close();
  }
}

async function overWebSocket(
  session: PtySessionOptions = {},
  makePty?: PtyFactory,
): Promise<number[]> {
  const server = serveBridged(BASH, session, {}, makePty);
  const socket = new WebSocket(server.url);
  socket.binaryType = "arraybuffer";
  await new Promise((resolve) => (socket.onopen = resolve));
  try {
    return await measure(
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
const rawSamples = await raw();
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
