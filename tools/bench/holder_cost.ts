/**
 * What a per-instance holder costs, and what its console path delivers, in one run:
 *   1. cost: 10 holders with an idle app: RSS and PSS each, CPU ticks and wake-ups over 5 s
 *      idle; the same for dtach and tmux (when installed) holding the same idle app;
 *   2. throughput: `cat` of a base64 file (cooked tty, like tools/bench/pty_throughput.ts),
 *      interleaved rounds: today's direct FFI pty read in Deno; holder → unix socket → a
 *      HolderConnection client in Deno (hold mode: lossless, acked); the holder alone with no
 *      client (log only); tmux and dtach alone (when installed).
 *
 * Re-run: deno run --allow-all tools/bench/holder_cost.ts [megabytes=100] [rounds=3]
 */
import { cpuUsage } from "node:process";
import { spawnPty } from "../../lib/pty/mod.ts";
import { type HolderHandle, type HolderPlan, spawnHolder } from "../../lib/holder/mod.ts";
import { buildNative } from "../build_native.ts";
import { BENCH_ENV, mibPerSecond, percentile, print } from "./pty_bench_support.ts";
import {
  childrenOf,
  installed,
  pidsByCommand,
  poll,
  run,
  sample,
  stats,
} from "./holder_bench_support.ts";

const megabytes = Number(Deno.args[0] ?? 100);
const rounds = Number(Deno.args[1] ?? 3);
const HOLDERS = 10;
const IDLE_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuMs = () => (cpuUsage().user + cpuUsage().system) / 1000;

const binary = (await buildNative()).binary;
const root = await Deno.makeTempDir({ prefix: "aikore-hb-" });
let serial = 0;

function plan(argv: string[]): HolderPlan {
  const name = `h${serial++}`;
  return {
    argv,
    env: BENCH_ENV,
    cwd: "/tmp",
    dir: `${root}/${name}`,
    logPath: `${root}/logs/${name}.log`,
    marker: `bench-${name}`,
  };
}

async function killHolder(handle: HolderHandle): Promise<void> {
  const connection = await handle.connect();
  await connection.signal("SIGKILL", "session");
  connection.close();
  await poll(() => sample(handle.holderPid) === null || isZombie(handle.holderPid));
}

function isZombie(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

/** Samples `pids` now and after IDLE_MS; prints memory per process and idle activity. */
async function idleCost(label: string, pids: number[], perUnit = pids.length): Promise<void> {
  await sleep(500);
  const before = pids.map(sample);
  await sleep(IDLE_MS);
  const after = pids.map(sample);
  const live = after.filter((s) => s !== null);
  const rss = stats(live.map((s) => s.rssKiB));
  const pss = stats(live.map((s) => s.pssKiB));
  const ticks = after.reduce((n, s, i) => n + (s?.cpuTicks ?? 0) - (before[i]?.cpuTicks ?? 0), 0);
  const wakes = after.reduce((n, s, i) => n + (s?.switches ?? 0) - (before[i]?.switches ?? 0), 0);
  const scale = pids.length / perUnit;
  print(
    `${label.padEnd(34)} RSS ${(rss.mean * scale / 1024).toFixed(2)} MiB (max ${
      (rss.max / 1024).toFixed(2)
    }), PSS ${(pss.mean * scale / 1024).toFixed(2)} MiB; idle ${IDLE_MS / 1000} s: ` +
      `${ticks} CPU ticks, ${wakes} wake-ups (all ${perUnit})`,
  );
}

async function costSection(): Promise<void> {
  print(`Cost per running instance (${HOLDERS} each, app: sleep 3600)`);
  const handles: HolderHandle[] = [];
  for (let i = 0; i < HOLDERS; i++) {
    handles.push(await spawnHolder(plan(["sleep", "3600"]), { binary }));
  }
  await idleCost("aikore_holder (per holder)", handles.map((h) => h.holderPid));
  for (const handle of handles) await killHolder(handle);
  if (await installed("dtach")) {
    for (let i = 0; i < HOLDERS; i++) {
      await run("dtach", ["-n", `${root}/d${i}.sock`, "sleep", "3600"]);
    }
    const masters = pidsByCommand(`dtach -n ${root}/d`);
    await idleCost("dtach 0.9 (per master)", masters);
    for (const master of masters) {
      for (const child of childrenOf(master)) Deno.kill(child, "SIGKILL");
    }
  } else print("dtach: not installed; skipped");
  if (await installed("tmux")) {
    const tmux = ["-S", `${root}/tmux.sock`, "-f", "/dev/null"];
    for (let i = 0; i < HOLDERS; i++) {
      await run("tmux", [...tmux, "new-session", "-d", "sleep", "3600"]);
    }
    const server = Number((await run("tmux", [...tmux, "display", "-p", "#{pid}"])).trim());
    await idleCost("tmux 3.3a (server / sessions)", [server], HOLDERS);
    await run("tmux", [...tmux, "kill-server"]);
  } else print("tmux: not installed; skipped");
}

async function makePayload(): Promise<string> {
  const path = `${root}/payload.b64`;
  const rawBytes = Math.round((megabytes * 1_000_000 * 3) / 4 / 1.013);
  await run("bash", ["-c", `head -c ${rawBytes} /dev/urandom | base64 > "$0"`, path]);
  return path;
}

interface Round {
  bytes: number;
  ms: number;
  cpu: number;
}

async function raw(path: string): Promise<Round> {
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

/** holder → socket → client; the app waits for a newline so that nothing precedes attach. */
const READY = "ready\r\n";
async function throughHolder(
  path: string,
): Promise<Round & { holderCpu: number; peakKiB: number }> {
  const argv = ["bash", "-c", 'stty -echo; echo ready; read _; exec cat "$0"', path];
  const handle = await spawnHolder(plan(argv), { binary });
  const connection = await handle.connect();
  let bytes = -READY.length;
  let holderTicks = 0;
  let peakKiB = 0;
  let ready: () => void = () => {};
  const readySeen = new Promise<void>((resolve) => (ready = resolve));
  const ended = new Promise<void>((resolve, reject) => {
    connection.attach({ from: 0, hold: true }, {
      onOutput: (chunk) => {
        bytes += chunk.length;
        if (bytes >= 0) ready();
      },
      onExit: () => {
        const end = sample(handle.holderPid);
        holderTicks = end?.cpuTicks ?? NaN;
        peakKiB = end?.peakKiB ?? NaN;
        resolve();
      },
    }).catch(reject);
  });
  await readySeen;
  const ticks0 = sample(handle.holderPid)?.cpuTicks ?? 0;
  const cpu0 = cpuMs();
  const started = performance.now();
  await connection.write("\n");
  await ended;
  const ms = performance.now() - started;
  const cpu = cpuMs() - cpu0;
  connection.close();
  await connection.closed;
  return { bytes, ms, cpu, holderCpu: (holderTicks - ticks0) * 10, peakKiB };
}

/** The holder with no client: how fast it drains the app into the log on its own. */
async function holderAlone(path: string): Promise<Round> {
  const started = performance.now();
  const handle = await spawnHolder(plan(["cat", path]), { binary });
  let last = 0;
  await poll(() => {
    const s = sample(handle.holderPid);
    if (s && !isZombie(handle.holderPid)) last = s.cpuTicks;
    return s === null || isZombie(handle.holderPid);
  });
  return { bytes: 0, ms: performance.now() - started, cpu: last * 10 };
}

async function tmuxAlone(path: string): Promise<Round> {
  const tmux = ["-S", `${root}/tmux-t.sock`, "-f", "/dev/null"];
  const started = performance.now();
  await run("tmux", [...tmux, "new-session", "-d", "-x", "80", "-y", "24", "cat", path]);
  await poll(async () => {
    const out = await new Deno.Command("tmux", { args: [...tmux, "has-session"], stderr: "null" })
      .output();
    return !out.success;
  }, 10);
  return { bytes: 0, ms: performance.now() - started, cpu: NaN };
}

async function dtachAlone(path: string): Promise<Round> {
  const socket = `${root}/dt-${serial++}.sock`;
  const started = performance.now();
  await run("dtach", ["-n", socket, "cat", path]);
  const [master] = pidsByCommand(`dtach -n ${socket}`);
  if (master !== undefined) await poll(() => sample(master) === null || isZombie(master));
  return { bytes: 0, ms: performance.now() - started, cpu: NaN };
}

async function throughputSection(): Promise<void> {
  const path = await makePayload();
  const fileBytes = Deno.statSync(path).size;
  print();
  print(
    `Console throughput: cat of ${(fileBytes / 1e6).toFixed(0)} MB base64 (cooked tty), ` +
      `${rounds} interleaved rounds, median`,
  );
  print(`cores: ${navigator.hardwareConcurrency}, deno ${Deno.version.deno}`);
  await raw(path); // warm the page cache and the FFI pool
  const withTmux = await installed("tmux");
  const withDtach = await installed("dtach");
  const rates: Record<string, number[]> = { raw: [], holder: [], alone: [], tmux: [], dtach: [] };
  const cpu: Record<string, number[]> = { raw: [], client: [], holder: [], alone: [] };
  let peakKiB = 0;
  for (let round = 0; round < rounds; round++) {
    const r = await raw(path);
    const mib = r.bytes / 1048576;
    rates.raw?.push(mibPerSecond(r.bytes, r.ms));
    cpu.raw?.push(r.cpu / mib);
    const h = await throughHolder(path);
    if (h.bytes !== r.bytes) throw new Error(`holder path lost bytes: ${h.bytes} of ${r.bytes}`);
    rates.holder?.push(mibPerSecond(h.bytes, h.ms));
    cpu.client?.push(h.cpu / mib);
    cpu.holder?.push(h.holderCpu / mib);
    peakKiB = Math.max(peakKiB, h.peakKiB);
    const a = await holderAlone(path);
    rates.alone?.push(mibPerSecond(r.bytes, a.ms));
    cpu.alone?.push(a.cpu / mib);
    if (withTmux) rates.tmux?.push(mibPerSecond(r.bytes, (await tmuxAlone(path)).ms));
    if (withDtach) rates.dtach?.push(mibPerSecond(r.bytes, (await dtachAlone(path)).ms));
  }
  const median = (name: string, from = rates) => percentile(from[name] ?? [], 50);
  const list = (name: string) => (rates[name] ?? []).map((x) => x.toFixed(1)).join(", ");
  const line = (label: string, name: string) =>
    print(`${label.padEnd(40)} ${median(name).toFixed(1)} MiB/s  [${list(name)}]`);
  line("direct pty read in Deno (today):", "raw");
  line("holder → socket → Deno client (hold):", "holder");
  print(
    `ratio holder path / direct:              ${(median("holder") / median("raw")).toFixed(2)}`,
  );
  line("holder alone, log only (AiKore down):", "alone");
  if (withTmux) line("tmux alone (no client):", "tmux");
  if (withDtach) line("dtach alone (no client, no log):", "dtach");
  print(
    `CPU ms per MiB (median): direct read ${median("raw", cpu).toFixed(2)} (Deno); holder path ` +
      `${median("holder", cpu).toFixed(2)} (holder, incl. log) + ${
        median("client", cpu).toFixed(2)
      }` +
      ` (Deno client); holder alone ${median("alone", cpu).toFixed(2)}`,
  );
  print(`holder peak RSS (VmHWM) while streaming: ${(peakKiB / 1024).toFixed(2)} MiB`);
  print(`load average at the end: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

try {
  await costSection();
  await throughputSection();
  print("re-run: deno run --allow-all tools/bench/holder_cost.ts [megabytes=100] [rounds=3]");
} finally {
  await Deno.remove(root, { recursive: true });
}
