/**
 * PTY output throughput: `cat` of a base64 file (100 MB by default; (76-column lines, cooked tty, so
 * ONLCR turns "\n" into "\r\n"), read these ways in one run (interleaved rounds, medians):
 *   0. the kernel's pace: a plain C program (kernel_pace.c) reading the pty, nothing behind it:
 *      what this machine allows any reader at all (the paths are also given against it);
 *   1. raw: AiKore's FFI pty read loop in Deno alone, nothing behind it: the reference of the
 *      targets (the C holder reads a pty for about half its CPU);
 *   2. bridged: pty → PtySession → socket bridge → a real loopback WebSocket → a client that
 *      acks like the browser does (inline in this process, or with --worker in a Worker
 *      thread; either way it shares this machine's cores with the server);
 *   3. an interactive terminal: bash -i told to `exec cat`, with the terminals' session options,
 *      under its holder as lib/instances/terminals.ts runs it (the holder's CPU added), and on a
 *      pty of this process (the terminals' fallback where no holder can run);
 *   4. the console path: the app under its per-instance holder → attachHolderPty, read alone
 *      (the path's floor) and bridged like 2;
 *   5. the WebSocket alone: the same bytes from memory, no pty, no session (the transport's floor);
 *   6. peers (tools/bench/pty_bench_peers.ts: terminado, wetty, when installed), same client.
 *
 * On a small shared machine one round's figures swing by a third; the table gives medians and,
 * for ratios, the median of the per-round ratios (a load that hits a round hits both sides).
 * A path read in Deno cannot outrun the raw read, so raw ÷ peer is its ceiling against a peer;
 * the held paths (read in C by their holder) can.
 *
 * Re-run: deno run --allow-all tools/bench/pty_throughput.ts [megabytes=100] [rounds=7] [--worker]
 *         [--client-process]  (the client in a process of its own: the server's CPU apart from its)
 *         [--pin]   (the app on core 0, AiKore and the client on core 1: no client on the app's core)
 */
import { cpuUsage, resourceUsage } from "node:process";
import { spawnPty } from "../../lib/pty/mod.ts";
import type { PtySessionOptions } from "../../lib/pty/mod.ts";
import {
  type ClientRequest,
  type ClientResult,
  ClientWorker,
  runClient,
} from "./pty_bench_client.ts";
import {
  BENCH_ENV,
  catCommand,
  mibPerSecond,
  percentile,
  print,
  type PtyFactory,
  serveBridged,
  serveWebSocketOnly,
} from "./pty_bench_support.ts";
import { HOLDER_READY, holderFarm, interactiveShell } from "./pty_bench_paths.ts";
import { TERMINAL_SESSION } from "../../lib/instances/mod.ts";
import { availablePeers, type Peer } from "./pty_bench_peers.ts";
import { buildKernelPace, kernelRead } from "./kernel_pace_support.ts";

// --pin: the app (`cat`) on core 0; this process (server, holder, client) on core 1. In use the
// client is a browser on another machine; on a 2-core machine unpinned, its thread competes with
// the app for a core and the rounds swing between two states (see ARCHITECTURE.md).
if (Deno.args.includes("--pin") && Deno.env.get("AIKORE_BENCH_APP_CPU") === undefined) {
  if (navigator.hardwareConcurrency < 2) throw new Error("--pin needs at least 2 cores");
  const self = new URL(import.meta.url).pathname;
  const { code } = await new Deno.Command("taskset", {
    args: ["-c", "1", Deno.execPath(), "run", "--allow-all", self, ...Deno.args],
    env: { AIKORE_BENCH_APP_CPU: "0" },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(code);
}

const megabytes = Number(Deno.args[0] ?? 100);
const rounds = Number(Deno.args[1] ?? 7);
const useWorker = Deno.args.includes("--worker");
const clientProcess = Deno.args.includes("--client-process");
/** The one Worker the client runs in (--worker), loaded before the first measurement. */
let clientWorker: ClientWorker | null = null;

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

/**
 * Context switches (voluntary + involuntary, all threads) of this process so far: every
 * wake-up of a thread (poll, event loop, worker) costs one. Steadier than CPU time on a
 * shared machine, where other load inflates the time each one takes.
 */
function switches(): number {
  const usage = resourceUsage();
  return usage.voluntaryContextSwitches + usage.involuntaryContextSwitches;
}

/** Runs one measurement and adds the context switches it cost. */
async function counted<T>(run: () => Promise<T>): Promise<T & { switches: number }> {
  const before = switches();
  const result = await run();
  return { ...result, switches: switches() - before };
}

async function raw(path: string): Promise<{ bytes: number; ms: number; cpu: number }> {
  const cpu0 = cpuMs();
  const started = performance.now();
  const [file = "cat", ...args] = catCommand(path);
  const pty = spawnPty({ file, args, env: BENCH_ENV, cwd: "/tmp" });
  let bytes = 0;
  pty.onData((chunk) => (bytes += chunk.length));
  await pty.exited;
  await pty.ended;
  const ms = performance.now() - started;
  const cpu = cpuMs() - cpu0;
  await pty.close();
  return { bytes, ms, cpu };
}

/** Runs the WebSocket client (inline, in a Worker or in a process) and returns its measurements. */
async function runBenchClient(request: ClientRequest): Promise<ClientResult> {
  if (clientProcess) {
    const script = new URL("./pty_bench_client.ts", import.meta.url).pathname;
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", script, JSON.stringify(request)],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const answer = JSON.parse(new TextDecoder().decode(stdout)) as ClientResult;
    if (answer.error) throw new Error(answer.error);
    return answer;
  }
  if (!useWorker) {
    const answer = await runClient(request);
    if (answer.error) throw new Error(answer.error);
    return answer;
  }
  const answer = await (clientWorker ??= new ClientWorker()).run(request);
  if (answer.error) throw new Error(answer.error);
  return answer;
}

async function bridged(
  path: string,
  session: PtySessionOptions = {},
  makePty?: PtyFactory,
): Promise<Timed> {
  const server = serveBridged(catCommand(path), session, {}, makePty);
  return await measured(server, { url: server.url, protocol: "aikore" });
}

/** Runs the client against `server`, measuring this process's CPU meanwhile; closes `server`. */
async function measured(
  server: { close(): Promise<void> },
  request: ClientRequest,
): Promise<Timed> {
  try {
    const cpu0 = cpuMs();
    const result = await runBenchClient(request);
    return { ...result, cpu: cpuMs() - cpu0 };
  } finally {
    await server.close();
  }
}

/** A Pty read with nothing behind it (the holder path's floor: holder → socket → Deno). */
async function rawFrom(makePty: PtyFactory): Promise<Timed> {
  const cpu0 = cpuMs();
  const started = performance.now();
  const pty = await makePty();
  let bytes = 0;
  pty.onData((chunk) => (bytes += chunk.length));
  await pty.exited;
  await pty.ended;
  const ms = performance.now() - started;
  const cpu = cpuMs() - cpu0;
  await pty.close();
  return { bytes, ms, cpu, frames: 0 };
}

/** The transport alone: the payload over a WebSocket with no pty and no session behind it. */
async function webSocketOnly(payload: Uint8Array): Promise<Timed> {
  const server = serveWebSocketOnly(payload);
  return await measured(server, { url: server.url, protocol: "aikore" });
}

async function peer(which: Peer, path: string, expectBytes: number): Promise<Timed> {
  const server = await which.start(path);
  return await measured(server, { ...server.request, expectBytes });
}

interface Measured {
  bytes: number;
  ms: number;
  cpu: number;
  frames: number;
  switches: number;
  /** The client's CPU ms, when it ran in a process of its own (--client-process). */
  clientCpu?: number;
  /** The holder's CPU ms (the console path): reading the pty, its log, the socket. */
  holderCpu?: number;
}

/** A measurement before its context switches are added. */
type Timed = Omit<Measured, "switches">;

/** One row of the table: rates and CPU per MiB over the rounds. */
class Row {
  rates: number[] = [];
  cpu: number[] = [];
  /** This process's CPU plus the client's, per MiB (--client-process only). */
  withClient: number[] = [];
  /** This process's CPU plus the holder's, per MiB (the console path). */
  withHolder: number[] = [];
  switches: number[] = [];
  frames = 0;
  bytes = 0;
  constructor(readonly label: string) {}
  add(m: Measured, expected: number, slack = 0): void {
    if (m.bytes < expected || m.bytes > expected + slack) {
      throw new Error(`${this.label}: ${m.bytes} bytes arrived, expected ${expected}`);
    }
    this.rates.push(mibPerSecond(m.bytes, m.ms));
    this.cpu.push(m.cpu / (m.bytes / 1048576));
    if (m.clientCpu !== undefined) {
      this.withClient.push((m.cpu + m.clientCpu) / (m.bytes / 1048576));
    }
    if (m.holderCpu !== undefined) {
      this.withHolder.push((m.cpu + (m.clientCpu ?? 0) + m.holderCpu) / (m.bytes / 1048576));
    }
    this.switches.push(m.switches / (m.bytes / 1048576));
    this.frames = m.frames;
    this.bytes = m.bytes;
  }
  /** A round that did not complete: a gap, so that the rounds stay paired with the others'. */
  leaveOut(): void {
    for (const list of [this.rates, this.cpu, this.switches]) list.push(NaN);
  }
  get rate(): number {
    return percentile(this.rates, 50);
  }
  get cpuPerMib(): number {
    return percentile(this.cpu, 50);
  }
  get switchesPerMib(): number {
    return percentile(this.switches, 50);
  }
}

const dir = await Deno.makeTempDir({ prefix: "aikore-bench-" });
try {
  const path = await makeFile(dir);
  const fileBytes = (await Deno.stat(path)).size;
  print(`PTY throughput: cat of ${(fileBytes / 1e6).toFixed(0)} MB base64 (cooked tty)`);
  const pinned = Deno.env.get("AIKORE_BENCH_APP_CPU");
  print(
    `cores: ${navigator.hardwareConcurrency}, deno ${Deno.version.deno}, client ${
      clientProcess ? "in a process of its own" : useWorker ? "in a Worker" : "inline"
    }${pinned === undefined ? "" : `; app on core ${pinned}, this process on core 1 (--pin)`}`,
  );
  await raw(path); // warm the page cache and the FFI pool
  if (useWorker && !clientProcess) await (clientWorker = new ClientWorker()).ready();
  const { peers, skipped } = await availablePeers();
  const farm = await holderFarm();
  const kernelPace = await buildKernelPace();
  const kernel = new Row("C read (kernel's pace)");
  const rows = {
    raw: new Row("raw pty read"),
    bridge: new Row("pty → bridge → ws"),
    shell: new Row("terminal (held)"),
    shellDirect: new Row("terminal, no holder"),
    heldRaw: new Row("holder → Deno (no ws)"),
    console: new Row("holder console → ws"),
    transport: new Row("WebSocket alone (no pty)"),
  };
  const payload = await Deno.readFile(path);
  const peerRows = peers.map((p) => new Row(p.label));
  // Interleaved rounds, median of each: other load on a small machine hits all alike.
  for (let round = 0; round < rounds; round++) {
    const r = await counted(() => raw(path));
    rows.raw.add({ ...r, frames: 0 }, r.bytes);
    // Its CPU is the C reader's own; this process only waits meanwhile.
    kernel.add(
      { ...await kernelRead(kernelPace.binary, catCommand(path)), frames: 0, switches: 0 },
      r.bytes,
    );
    rows.bridge.add(await counted(() => bridged(path)), r.bytes);
    // Plus the prompt and the echoed command.
    const shell = await counted(() => bridged(path, TERMINAL_SESSION, farm.terminal(path)));
    rows.shell.add({ ...shell, holderCpu: farm.takeHolderCpuMs() }, r.bytes, 4096);
    const direct = await counted(() => bridged(path, TERMINAL_SESSION, interactiveShell(path)));
    rows.shellDirect.add(direct, r.bytes, 4096);
    const ready = HOLDER_READY.length;
    // The newline that starts the app may be echoed ("\r\n") if it beats `stty -echo`.
    const heldRaw = await counted(() => rawFrom(farm.factory(path)));
    rows.heldRaw.add({ ...heldRaw, holderCpu: farm.takeHolderCpuMs() }, r.bytes + ready, 2);
    const held = await counted(() => bridged(path, {}, farm.factory(path)));
    rows.console.add({ ...held, holderCpu: farm.takeHolderCpuMs() }, r.bytes + ready, 2);
    rows.transport.add(await counted(() => webSocketOnly(payload)), payload.length);
    for (const [i, each] of peers.entries()) {
      const result = await counted(() => peer(each, path, r.bytes));
      if (result.bytes === r.bytes) {
        peerRows[i]?.add(result, r.bytes);
        continue;
      }
      peerRows[i]?.leaveOut();
      const shortfall = `${result.bytes} of ${r.bytes} bytes came, then nothing`;
      print(`${each.label}, round ${round + 1}: ${shortfall}; round left out`);
    }
  }
  await farm.close();
  await Deno.remove(kernelPace.dir, { recursive: true });
  clientWorker?.close();
  const list = (rates: number[]) => rates.map((r) => r.toFixed(1)).join(", ");
  const base = rows.raw;
  /** Median over the rounds of a[i] ÷ b[i]: each round against the same round of the other. */
  const paired = (a: number[], b: number[]) => percentile(a.map((x, i) => x / (b[i] ?? NaN)), 50);
  for (const row of [kernel, ...Object.values(rows), ...peerRows]) {
    print(
      `${row.label.padEnd(24)} ${row.rate.toFixed(1).padStart(6)} MiB/s [${list(row.rates)}]` +
        `  ×raw ${(row.rate / base.rate).toFixed(2)} (per round ${
          paired(row.rates, base.rates).toFixed(2)
        })  CPU ${row.cpuPerMib.toFixed(2)} ms/MiB` +
        ` (×raw ${(row.cpuPerMib / base.cpuPerMib).toFixed(2)}, per round ${
          paired(row.cpu, base.cpu).toFixed(2)
        }) [${list(row.cpu)}]` +
        (row.withClient.length
          ? `  with the client ${
            percentile(row.withClient, 50).toFixed(2)
          } ms/MiB (per round ×raw ${paired(row.withClient, base.cpu).toFixed(2)})`
          : "") +
        (row.withHolder.length
          ? `  with the holder ${percentile(row.withHolder, 50).toFixed(2)} ms/MiB (×raw ${
            (percentile(row.withHolder, 50) / base.cpuPerMib).toFixed(2)
          }, ` +
            `per round ${paired(row.withHolder, base.cpu).toFixed(2)})`
          : "") +
        `  switches ${row.switchesPerMib.toFixed(0)}/MiB` +
        (row.frames ? `  avg frame ${(row.bytes / row.frames / 1024).toFixed(1)} KiB` : ""),
    );
  }
  print("targets: bridge ≥ 0.80× raw and ≥ 1.50× each peer; CPU per MiB ≤ 1.30× raw");
  /** A path's whole CPU per MiB round by round: its holder's too, where it has one. */
  const whole = (row: Row) => row.withHolder.length ? row.withHolder : row.cpu;
  const added = (row: Row) => (percentile(whole(row), 50) - base.cpuPerMib).toFixed(2);
  print(
    `CPU added to the raw read (holders included): bridge ${added(rows.bridge)} ms/MiB, ` +
      `terminal (held) ${added(rows.shell)}, terminal without a holder ` +
      `${added(rows.shellDirect)}, console ${added(rows.console)}; the WebSocket alone ` +
      `(Deno's server, loopback TCP, the client) costs ${rows.transport.cpuPerMib.toFixed(2)}`,
  );
  for (const row of [rows.bridge, rows.shell, rows.shellDirect, rows.console]) {
    const rate = paired(row.rates, base.rates);
    const cpu = paired(whole(row), base.cpu);
    const peers = peerRows.map((p) => paired(row.rates, p.rates));
    const met = rate >= 0.8 && cpu <= 1.3 && peers.every((ratio) => ratio >= 1.5);
    print(
      `${row.label.padEnd(24)} per round: rate ×raw ${rate.toFixed(2)} (≥ 0.80), CPU ×raw ` +
        `${cpu.toFixed(2)} (≤ 1.30), ×peers ${peers.map((x) => x.toFixed(2)).join(", ")} ` +
        `(≥ 1.50): ${met ? "targets met" : "MISSED"}`,
    );
  }
  for (const row of [rows.raw, rows.bridge, rows.shell, rows.shellDirect, rows.console]) {
    print(
      `${row.label.padEnd(24)} against the kernel's pace, per round: rate ×C ` +
        `${paired(row.rates, kernel.rates).toFixed(2)}, CPU ×C ${
          paired(whole(row), kernel.cpu).toFixed(2)
        } (the C reader's own CPU ${kernel.cpuPerMib.toFixed(2)} ms/MiB)`,
    );
  }
  for (const peerRow of peerRows) {
    const ratio = (row: Row) =>
      `${(row.rate / peerRow.rate).toFixed(2)}× (per round ${
        paired(row.rates, peerRow.rates).toFixed(2)
      }×)`;
    print(
      `vs ${peerRow.label}: bridge ${ratio(rows.bridge)}, terminal (held) ${ratio(rows.shell)}, ` +
        `terminal without a holder ${ratio(rows.shellDirect)}, console ${ratio(rows.console)}; ` +
        `raw read (the ceiling of paths read in Deno) ${ratio(base)}, ` +
        `the kernel's pace (the ceiling of any reader) ${ratio(kernel)}`,
    );
  }
  for (const line of skipped) print(`skipped ${line}`);
  print(
    clientProcess
      ? "CPU and context switches are this process's (the server); the client's CPU is added in " +
        '"with the client", the holder\'s in "with the holder"; cat and peers excluded'
      : "CPU and context switches are this process's (server and client threads); the holder's " +
        'CPU is added in "with the holder"; cat and peers excluded',
  );
  print(`load average at the end: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  print(
    "re-run: deno run --allow-all tools/bench/pty_throughput.ts [megabytes=100] [rounds=7] " +
      "[--worker | --client-process] [--pin]",
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
