/** Test support (not used by production code): fixtures, free ports and waiting helpers. */
import { freePorts } from "../../tests/helpers/free_ports.ts";
import { silentLogger } from "../log/mod.ts";
import { isRunning } from "../procfs/mod.ts";
import { type LaunchPlan, type RunningProcess, runPlan } from "./run_plan.ts";
import type { PtySessionOptions } from "../pty/mod.ts";
import type { ProcessContainment } from "./process_containment.ts";

/** Absolute path of a test blueprint in tests/fixtures/blueprints. */
export function fixture(name: string): string {
  return new URL(`../../tests/fixtures/blueprints/${name}`, import.meta.url).pathname;
}

/** A free port for a program the test starts (outside the kernel's ephemeral range). */
export function freePort(): number {
  return freePorts(1)[0] ?? 0;
}

/** A marker unique to this test run. */
export function testMarker(label: string): string {
  return `test-${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** True while the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  return isRunning(pid);
}

/** Waits until `condition()` holds, failing with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000) {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`Timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** Runs a fixture (or any argv) in a temp dir with a test marker; `dir` holds the log. */
export async function runTest(
  argv: string[],
  options: {
    env?: Record<string, string>;
    session?: PtySessionOptions;
    logMaxBytes?: number;
    /** Track the processes here instead of in AiKore's shared containment. */
    containment?: ProcessContainment;
  } = {},
): Promise<{ run: RunningProcess; plan: LaunchPlan; dir: string; output: () => string }> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-process-test-" });
  const plan: LaunchPlan = {
    argv,
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8", ...options.env },
    cwd: dir,
    logPath: `${dir}/logs/output.log`,
    marker: testMarker("p"),
  };
  const run = runPlan(plan, {
    logger: silentLogger,
    ...(options.session ? { session: options.session } : {}),
    ...(options.logMaxBytes ? { logMaxBytes: options.logMaxBytes } : {}),
    ...(options.containment ? { containment: options.containment.prepare(plan.marker) } : {}),
  });
  let text = "";
  const decoder = new TextDecoder();
  run.session.onOutput((chunk) => (text += decoder.decode(chunk, { stream: true })));
  text += decoder.decode(run.session.scrollback(), { stream: true });
  return { run, plan, dir, output: () => text };
}
