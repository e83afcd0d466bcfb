/** Test support (not used by production code): a built holder, temp plans, waiting helpers. */
import { buildNative } from "../../tools/build_native.ts";
import type { HolderPlan } from "./launch_spec.ts";
import { HolderConnection, type OutputHandlers } from "./holder_connection.ts";
import { inspectHolder } from "./find_holders.ts";
import { isLiveHolder } from "./holder_record.ts";
import type { HolderExit } from "./protocol.ts";

let built: Promise<string> | null = null;

/** The holder binary, compiled once per test process when sources changed. */
export function holderBinary(): Promise<string> {
  built ??= buildNative().then((build) => build.binary);
  return built;
}

/** A counter app: "line N" every `seconds`, forever. */
export function counterArgv(seconds = "0.1"): string[] {
  return ["bash", "-c", 'i=0; while :; do i=$((i+1)); echo "line $i"; sleep "$0"; done', seconds];
}

/** A fresh temp folder and a holder plan running `argv` in it (runtime folder: <tmp>/run). */
/** A holder plan that writes a log (what every instance's holder does). */
export type LoggedPlan = HolderPlan & { logPath: string };

export async function tempPlan(
  argv: string[],
  extra: Partial<LoggedPlan> = {},
): Promise<LoggedPlan> {
  const root = await Deno.makeTempDir({ prefix: "aikore-holder-test-" });
  return {
    argv,
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: root, LANG: "C.UTF-8" },
    cwd: root,
    logPath: `${root}/logs/output.log`,
    marker: `test-holder-${crypto.randomUUID().slice(0, 8)}`,
    dir: `${root}/run`,
    ...extra,
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `condition()` holds, failing with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`Timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** True while the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Resident memory of a process in KiB (VmRSS), 0 when gone. */
export function rssKiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** An attached connection collecting output as text, with waits on its content and exit. */
export class Viewer {
  text = "";
  gaps: [number, number][] = [];
  exit: HolderExit | null = null;
  #decoder = new TextDecoder();
  #wake = new Set<() => void>();

  constructor(readonly connection: HolderConnection) {}

  readonly handlers: OutputHandlers = {
    onOutput: (chunk) => {
      this.text += this.#decoder.decode(chunk, { stream: true });
      this.#notify();
    },
    onGap: (from, to) => {
      this.gaps.push([from, to]);
      this.#notify();
    },
    onExit: (exit) => {
      this.exit = exit;
      this.#notify();
    },
  };

  /** Resolves once `test(this)` holds; rejects after `timeoutMs` with the text seen. */
  waitFor(test: (viewer: Viewer) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (test(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake.delete(check);
        reject(new Error(`Timed out waiting for ${what}; output:\n${this.text.slice(-1000)}`));
      }, timeoutMs);
      const check = () => {
        if (!test(this)) return;
        clearTimeout(timer);
        this.#wake.delete(check);
        resolve();
      };
      this.#wake.add(check);
    });
  }

  #notify(): void {
    for (const wake of [...this.#wake]) wake();
  }
}

/** The numbers N of every "line N" in `text`, in order. */
export function counterLines(text: string): number[] {
  return [...text.matchAll(/^line (\d+)\r?$/gm)].map((m) => Number(m[1]));
}

/** Kills what is left of a test's holder and app (never anything else) and removes its folder. */
export async function cleanUpPlan(plan: HolderPlan): Promise<void> {
  const found = inspectHolder(plan.dir);
  if (found?.state === "running") {
    try {
      const connection = await found.handle.connect();
      await connection.signal("SIGKILL", "session");
      connection.close();
      await until(() => !isAlive(found.handle.holderPid), "the holder exits", 5000);
    } catch {
      if (isLiveHolder(found.handle)) Deno.kill(found.handle.holderPid, "SIGKILL");
    }
  }
  await Deno.remove(plan.cwd, { recursive: true }).catch(() => {});
}

/** A test whose plans (made with `plan()`) are cleaned up however the test ends. */
export function holderTest(
  name: string,
  fn: (t: { plan: typeof tempPlan }) => Promise<void>,
): void {
  Deno.test(name, async () => {
    const plans: HolderPlan[] = [];
    const plan: typeof tempPlan = async (argv, extra) => {
      const made = await tempPlan(argv, extra);
      plans.push(made);
      return made;
    };
    try {
      await fn({ plan });
    } finally {
      for (const made of plans) await cleanUpPlan(made);
    }
  });
}
