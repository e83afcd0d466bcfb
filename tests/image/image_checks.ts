/** Checks of a running image made from the host: readiness and file ownership. */
import type { Container } from "./container.ts";
import { containerState } from "./container.ts";

/**
 * Waits until the dashboard answers /healthz (a container has no readiness event to wait on, so
 * this polls, fails at once if the container has exited) and returns how long it took.
 */
export async function waitForHealthz(container: Container, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let last = "no answer";
  while (performance.now() - started < timeoutMs) {
    const state = await containerState(container.name);
    if (!state.running) throw new Error(`the container exited with ${state.exitCode}`);
    try {
      const response = await fetch(`${container.dashboard()}/healthz`);
      const text = await response.text();
      if (response.status === 200 && text === "ok") return performance.now() - started;
      last = `${response.status} ${text.slice(0, 80)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`/healthz did not answer within ${timeoutMs} ms (last: ${last})`);
}

/** Every path under `root` (links not followed) whose owner is not `uid:gid`. */
export async function filesNotOwnedBy(root: string, uid: number, gid: number): Promise<string[]> {
  const offenders: string[] = [];
  const visit = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      const info = await Deno.lstat(path);
      if (info.uid !== uid || info.gid !== gid) {
        offenders.push(`${path.slice(root.length + 1)} (${info.uid}:${info.gid})`);
      }
      if (entry.isDirectory) await visit(path);
    }
  };
  await visit(root);
  return offenders;
}
