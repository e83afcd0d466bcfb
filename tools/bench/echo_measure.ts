/**
 * Keystroke echo timing shared by the echo-latency benches: keys go one at a time into an
 * interactive bash and each is timed until the next output arrives. Several paths are timed
 * in turn, key by key (key i goes down every path, in an order shuffled with a fixed seed,
 * before key i+1 does), so that a change in the machine's load during the run hits every path
 * alike: on a small shared machine the floor itself moves by half between two runs a minute
 * apart. Every 50 keys, Ctrl-U clears each
 * line (not timed) so that no line wraps; the first 20 keys of each path warm up.
 */
import { type Pty, spawnPty } from "../../lib/pty/mod.ts";
import { BENCH_ENV, percentile } from "./pty_bench_support.ts";
import { seededRandom } from "../../tests/helpers/seeded_random.ts";

/** An interactive bash without rc files (readline echo). */
export const ECHO_BASH = ["bash", "--norc", "--noprofile", "-i"];

const WARM_UP_KEYS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One way a keystroke can travel to bash and its echo back. */
export interface EchoPath {
  label: string;
  sendKey(key: string): void;
  /**
   * Registers the one listener told of every output (called once). A path that times the round
   * trip itself (the C floor) passes its figure; the others are timed here.
   */
  onOutput(listener: (measuredMs?: number) => void): void;
  close(): Promise<void>;
}

/** Times `keystrokes` keys on each path, interleaved; returns each path's samples in ms. */
/** The seed of the order in which each key visits the paths (fixed: runs are comparable). */
export const ECHO_ORDER_SEED = 1717;

/** 0 … n-1 in an order drawn from `random` (Fisher–Yates). */
function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

export async function measureEcho(paths: EchoPath[], keystrokes: number): Promise<number[][]> {
  const random = seededRandom(ECHO_ORDER_SEED);
  type Waiter = { wake: ((measuredMs?: number) => void) | null };
  const waiters = paths.map((): Waiter => ({ wake: null }));
  paths.forEach((path, index) => {
    const waiter = waiters[index] as Waiter;
    path.onOutput((measuredMs) => {
      const wake = waiter.wake;
      waiter.wake = null;
      wake?.(measuredMs);
    });
  });
  const samples = paths.map((): number[] => []);
  await sleep(300); // let bash print its prompts
  for (let i = 0; (samples[0]?.length ?? 0) < keystrokes; i++) {
    if (i % 50 === 49) {
      for (const path of paths) path.sendKey("\x15");
      await sleep(20);
      continue;
    }
    // Each key visits the paths in a new order (seeded shuffle): the place in the round is no
    // one path's bias (measured: the path right after the raw one read about 0.05 ms slower).
    for (const index of shuffled(paths.length, random)) {
      const path = paths[index] as EchoPath;
      const waiter = waiters[index] as Waiter;
      const echoed = new Promise<number | undefined>((resolve) => (waiter.wake = resolve));
      const started = performance.now();
      path.sendKey(String.fromCharCode(97 + (i % 26)));
      const measuredMs = await echoed;
      if (i >= WARM_UP_KEYS) samples[index]?.push(measuredMs ?? performance.now() - started);
      await sleep(2);
    }
  }
  return samples;
}

/** The floor: Pty.write → Pty.onData in Deno (FFI + kernel + bash). */
export function rawEchoPath(): EchoPath {
  const [file = "bash", ...args] = ECHO_BASH;
  const pty: Pty = spawnPty({ file, args, env: BENCH_ENV, cwd: "/tmp" });
  return {
    label: "raw pty write → read",
    sendKey: (key) => pty.write(key),
    onOutput: (listener) => pty.onData(() => listener()),
    close: () => pty.close(),
  };
}

/**
 * One summary line: the percentiles, and the p50 above each floor given (by name: "raw" for
 * Deno's own pty read, "C" for the machine's).
 */
export function echoSummary(samples: number[], floors: Record<string, number[]> = {}): string {
  const p = (q: number) => percentile(samples, q).toFixed(3);
  const above = Object.entries(floors).map(([name, floor]) =>
    `, p50 above ${name} ${(percentile(samples, 50) - percentile(floor, 50)).toFixed(3)} ms`
  ).join("");
  return `p50 ${p(50)} ms, p90 ${p(90)} ms, p99 ${p(99)} ms, max ${
    Math.max(...samples).toFixed(3)
  } ms (${samples.length} keys)${above}`;
}
