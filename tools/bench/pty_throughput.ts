/**
 * PTY output throughput: `cat` of a ~200 MB base64 file (76-column lines, cooked tty, so
 * ONLCR turns "\n" into "\r\n"), read three ways in one run:
 *   1. raw: the FFI pty read loop alone (the floor set by the kernel's tty layer);
 *   2. bridged: pty → PtySession → socket bridge → a real loopback WebSocket → a client that
 *      acks like the browser does (inline in this process, or with --worker in a Worker
 *      thread; either way it shares this machine's cores with the server);
 *   3. terminado (Python tornado + terminado's TermSocket, when importable), same client.
 *
 * Re-run: deno run --allow-all tools/bench/pty_throughput.ts [megabytes=200] [rounds=3] [--worker]
 */
import { cpuUsage } from "node:process";
import { spawnPty } from "../../lib/pty/mod.ts";
import { type ClientRequest, type ClientResult, runClient } from "./pty_bench_client.ts";
import { BENCH_ENV, mibPerSecond, percentile, print, serveBridged } from "./pty_bench_support.ts";

const megabytes = Number(Deno.args[0] ?? 200);
const rounds = Number(Deno.args[1] ?? 3);
const useWorker = Deno.args.includes("--worker");
const TERMINADO_PYTHON = "/usr/bin/python3";

async function makeFile(dir: string): Promise<string> {
  const path = `${dir}/payload.b64`;
  const rawBytes = Math.round((megabytes * 1_000_000 * 3) / 4 / 1.013);
  const command = new Deno.Command("bash", {
    args: ["-c", `head -c ${rawBytes} /dev/urandom | base64 > "$0"`, path],
  });
  const { success } = await command.output();
  if (!success) throw new Error("could not generate the payload file");
  return path;
}

/** CPU time (user + system, all threads) this process has used, in ms. */
function cpuMs(): number {
  const usage = cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function raw(path: string): Promise<{ bytes: number; ms: number; cpu: number }> {
  const cpu0 = cpuMs();
  const started = performance.now();
  const pty = spawnPty({ file: "cat", args: [path], env: BENCH_ENV, cwd: "/tmp" });
  let bytes = 0;
  pty.onData((chunk) => (bytes += chunk.length));
  await pty.exited;
  await pty.ended;
  const ms = performance.now() - started;
  const cpu = cpuMs() - cpu0;
  await pty.close();
  return { bytes, ms, cpu };
}

/** Runs the WebSocket client (inline or in a Worker thread) and returns its measurements. */
async function clientInWorker(request: ClientRequest): Promise<ClientResult> {
  if (!useWorker) {
    const answer = await runClient(request);
    if (answer.error) throw new Error(answer.error);
    return answer;
  }
  const worker = new Worker(new URL("./pty_bench_client.ts", import.meta.url), { type: "module" });
  try {
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the worker load
    const result = new Promise<ClientResult>((resolve) => {
      worker.onmessage = (event: MessageEvent<ClientResult>) => resolve(event.data);
    });
    worker.postMessage(request);
    const answer = await result;
    if (answer.error) throw new Error(answer.error);
    return answer;
  } finally {
    worker.terminate();
  }
}

async function bridged(
  path: string,
): Promise<{ bytes: number; ms: number; frames: number; cpu: number }> {
  const server = serveBridged(["cat", path]);
  try {
    const cpu0 = cpuMs();
    const result = await clientInWorker({ url: server.url, protocol: "aikore" });
    return { ...result, cpu: cpuMs() - cpu0 };
  } finally {
    await server.close();
  }
}

const TERMINADO_APP = `
import sys, tornado.ioloop, tornado.web, tornado.netutil, tornado.httpserver
from terminado import TermSocket, SingleTermManager
manager = SingleTermManager(shell_command=sys.argv[1:])
app = tornado.web.Application([(r"/websocket", TermSocket, {"term_manager": manager})])
sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
server = tornado.httpserver.HTTPServer(app)
server.add_sockets(sockets)
print(sockets[0].getsockname()[1], flush=True)
tornado.ioloop.IOLoop.current().start()
`;

async function terminadoAvailable(): Promise<boolean> {
  try {
    const probe = new Deno.Command(TERMINADO_PYTHON, { args: ["-c", "import terminado"] });
    return (await probe.output()).success;
  } catch {
    return false;
  }
}

async function terminado(path: string): Promise<{ bytes: number; ms: number; frames: number }> {
  const child = new Deno.Command(TERMINADO_PYTHON, {
    args: ["-c", TERMINADO_APP, "cat", path],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    reader.releaseLock();
    const port = Number(new TextDecoder().decode(value).trim());
    const url = `ws://127.0.0.1:${port}/websocket`;
    return await clientInWorker({ url, protocol: "terminado" });
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
}

const dir = await Deno.makeTempDir({ prefix: "aikore-bench-" });
try {
  const path = await makeFile(dir);
  const fileBytes = (await Deno.stat(path)).size;
  print(`PTY throughput: cat of ${(fileBytes / 1e6).toFixed(0)} MB base64 (cooked tty)`);
  print(
    `cores: ${navigator.hardwareConcurrency}, deno ${Deno.version.deno}, client ${
      useWorker ? "in a Worker" : "inline"
    }`,
  );
  await raw(path); // warm the page cache and the FFI pool
  // Interleaved rounds, median of each: other load on a small machine hits both alike.
  const rawRates: number[] = [];
  const bridgeRates: number[] = [];
  const withTerminado = await terminadoAvailable();
  const terminadoRates: number[] = [];
  const rawCpu: number[] = [];
  const bridgeCpu: number[] = [];
  let frames = 0;
  let bridgedBytes = 0;
  for (let round = 0; round < rounds; round++) {
    const r = await raw(path);
    rawRates.push(mibPerSecond(r.bytes, r.ms));
    rawCpu.push(r.cpu / (r.bytes / 1048576));
    const b = await bridged(path);
    if (b.bytes !== r.bytes) throw new Error(`bridge lost bytes: ${b.bytes} of ${r.bytes}`);
    bridgeRates.push(mibPerSecond(b.bytes, b.ms));
    bridgeCpu.push(b.cpu / (b.bytes / 1048576));
    frames = b.frames;
    if (withTerminado) {
      const t = await terminado(path);
      if (t.bytes !== r.bytes) throw new Error(`terminado lost bytes: ${t.bytes} of ${r.bytes}`);
      terminadoRates.push(mibPerSecond(t.bytes, t.ms));
    }
    bridgedBytes = b.bytes;
  }
  const rawRate = percentile(rawRates, 50);
  const bridgeRate = percentile(bridgeRates, 50);
  const list = (rates: number[]) => rates.map((r) => r.toFixed(1)).join(", ");
  print(`raw pty read:          ${rawRate.toFixed(1)} MiB/s median of [${list(rawRates)}]`);
  print(`pty → bridge → ws:     ${bridgeRate.toFixed(1)} MiB/s median of [${list(bridgeRates)}]`);
  print(
    `  (${bridgedBytes} bytes in ${frames} frames, avg ${
      (bridgedBytes / frames / 1024).toFixed(1)
    } KiB)`,
  );
  print(`ratio bridge/raw:      ${(bridgeRate / rawRate).toFixed(2)}  (target ≥ 0.80)`);
  const cpuRaw = percentile(rawCpu, 50);
  const cpuBridge = percentile(bridgeCpu, 50);
  print(
    `CPU of this process per MiB (median): raw ${cpuRaw.toFixed(2)} ms, bridged ` +
      `${cpuBridge.toFixed(2)} ms incl. the client (less load-sensitive than MiB/s)`,
  );
  print(`load average at the end: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  if (terminadoRates.length > 0) {
    const rate = percentile(terminadoRates, 50);
    print(`terminado 0.17 (py):   ${rate.toFixed(1)} MiB/s median of [${list(terminadoRates)}]`);
    print(`ratio bridge/terminado: ${(bridgeRate / rate).toFixed(2)}`);
  } else {
    print(`terminado: not importable by ${TERMINADO_PYTHON}; skipped`);
  }
  print(
    "re-run: deno run --allow-all tools/bench/pty_throughput.ts [megabytes=200] [rounds=3] [--worker]",
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
