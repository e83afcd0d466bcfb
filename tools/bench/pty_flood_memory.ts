/**
 * AiKore's memory under a flood (`cat /dev/urandom | base64`) shared by three viewers of ONE
 * session: a fast one (acks all it gets), a slow one (renders ~1 MiB/s: acks at most 100 KiB
 * per 100 ms) and a stalled one (did the handshake, never reads the socket again). Samples
 * memory every second after a garbage collection (so a sample counts live memory, not garbage
 * V8 has not collected yet). Flat: over the second half, the fitted slopes of the live JS heap
 * and of native memory (RSS less the pages V8 has committed to its heap) are under 1 MiB per
 * minute. RSS itself may step once when V8 enlarges its heap (a reservation, not a leak).
 * Each mode runs twice: the app on a pty of this process, and under a holder as AiKore runs it
 * ("drop" as a console: no hold; "pause" as a terminal: hold), its output through the socket.
 *
 *   deno run -A tools/bench/pty_flood_memory.ts [seconds=60] [pause|drop] [pty|held]
 *   (default: every mode both ways)
 */
import {
  bridgeSocket,
  type Pty,
  PtySession,
  type PtySessionOptions,
  settleWithin,
  spawnPty,
} from "../../lib/pty/mod.ts";
import { attachHolderPty, spawnHolder } from "../../lib/holder/mod.ts";
import { buildNative } from "../build_native.ts";
import { encodeClientMessage } from "../../lib/shared/terminal_protocol.ts";
import { openLeanSocket } from "./pty_lean_socket.ts";
import { BENCH_ENV, print } from "./pty_bench_support.ts";

const seconds = Number(Deno.args[0] ?? 60);
const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** With --expose-gc (the parent passes it): a sample then counts live memory, not garbage. */
/** Least-squares slope of `values` sampled once a second, in units per second. */
function slope(values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, v) => sum + v, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((v, x) => {
    num += (x - meanX) * (v - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}

const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});

type Source = "pty" | "held";

/** The flooding app on a pty of this process, or under a holder (no log file: memory is measured). */
async function floodingApp(
  mode: "pause" | "drop",
  source: Source,
  dir: string,
): Promise<Pty> {
  const argv = ["bash", "-c", "cat /dev/urandom | base64"];
  if (source === "pty") {
    return spawnPty({ file: "bash", args: argv.slice(1), env: BENCH_ENV, cwd: "/tmp" });
  }
  const handle = await spawnHolder(
    { argv, env: BENCH_ENV, cwd: "/tmp", dir, logPath: null, marker: "bench-flood-memory" },
    { binary: (await buildNative()).binary },
  );
  return await attachHolderPty(handle, { from: 0, hold: mode === "pause" });
}

async function run(mode: "pause" | "drop", source: Source): Promise<void> {
  const options: PtySessionOptions = { slowViewer: mode };
  const dir = await Deno.makeTempDir({ prefix: "aikore-floodmem-" });
  const pty = await floodingApp(mode, source, dir);
  const session = new PtySession(pty, options);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      const bridge = bridgeSocket(session, socket, { cols: 120, rows: 40 });
      socket.onmessage = (event) => bridge.onMessage(event.data);
      socket.onclose = () => bridge.onClose();
    };
    return response;
  });
  const url = `ws://127.0.0.1:${server.addr.port}/`;
  const received = { fast: 0, slow: 0 };
  const fast = await openLeanSocket(url, (payload, text) => {
    if (text) return;
    received.fast += payload.length;
    fast.sendText(encodeClientMessage({ type: "ack", bytes: payload.length }));
  });
  let slowPending = 0;
  const slow = await openLeanSocket(url, (payload, text) => {
    if (!text) (slowPending += payload.length), (received.slow += payload.length);
  });
  const slowTimer = setInterval(() => {
    const bytes = Math.min(slowPending, 100 * 1024);
    slowPending -= bytes;
    if (bytes > 0) slow.sendText(encodeClientMessage({ type: "ack", bytes }));
  }, 100);
  const stalled = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await stalled.write(new TextEncoder().encode(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${btoa("stalled-viewer-k")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  const samples: number[] = [];
  const heap: number[] = [];
  const native: number[] = [];
  const trace: string[] = [];
  let last = Deno.memoryUsage();
  for (let s = 0; s < seconds; s++) {
    await sleep(1000);
    collectGarbage();
    last = Deno.memoryUsage();
    samples.push(last.rss);
    heap.push(last.heapUsed);
    native.push(last.rss - last.heapTotal);
    if ((s + 1) % 10 === 0) {
      trace.push(
        `${s + 1}s ${mib(last.rss)}/${mib(last.heapTotal)}/${mib(last.heapUsed)}/${
          mib(last.external)
        }`,
      );
    }
  }
  clearInterval(slowTimer);
  fast.close();
  slow.close();
  stalled.close();
  session.kill("SIGKILL"); // a held app outlives a detach: end it
  await settleWithin(session.exited, 5000);
  await session.close();
  await server.shutdown();
  await Deno.remove(dir, { recursive: true });
  const half = Math.floor(samples.length / 2);
  const perMinute = (values: number[]) => mib(slope(values.slice(half)) * 60);
  const label = `${mode}${source === "held" ? " (under a holder)" : ""}`;
  print(
    `${label}: RSS ${mib(samples[0] ?? 0)} MiB after 1 s, ${
      mib(samples[half] ?? 0)
    } at ${half} s, ` +
      `${mib(samples.at(-1) ?? 0)} at ${seconds} s (peak of the second half ` +
      `${mib(Math.max(...samples.slice(half)))}); second-half slopes: native ` +
      `${perMinute(native)} MiB/min, JS heap ${perMinute(heap)} MiB/min, RSS ` +
      `${perMinute(samples)} MiB/min; fast viewer got ` +
      `${mib(received.fast)} MiB, slow ${mib(received.slow)} MiB; at the end JS heap ` +
      `${mib(last.heapUsed)} MiB, external ${mib(last.external)} MiB`,
  );
  print(`${label}: samples RSS/heap total/heap used/external MiB: ${trace.join(", ")}`);
}

const [onlyMode, onlySource] = [Deno.args[1], Deno.args[2] ?? "pty"];
if (onlyMode !== undefined) {
  if (onlyMode !== "pause" && onlyMode !== "drop") {
    throw new Error(`mode must be pause or drop: ${onlyMode}`);
  }
  if (onlySource !== "pty" && onlySource !== "held") {
    throw new Error(`source must be pty or held: ${onlySource}`);
  }
  await run(onlyMode, onlySource);
  Deno.exit(0); // the held app's connection is closed; nothing is left to wait for
} else {
  print(`flood memory: ${seconds} s per mode, one fast, one slow and one stalled viewer`);
  for (const source of ["pty", "held"]) {
    for (const mode of ["drop", "pause"]) {
      // Each run in a fresh process, so that one's garbage does not count for the next.
      await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          "--v8-flags=--expose-gc",
          new URL(import.meta.url).pathname,
          String(seconds),
          mode,
          source,
        ],
        stdout: "inherit",
        stderr: "inherit",
      }).output();
    }
  }
}
