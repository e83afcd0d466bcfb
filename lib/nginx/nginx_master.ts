import type { NginxPaths } from "./nginx_paths.ts";
import { killProcesses, nginxGroupMembers } from "./nginx_processes.ts";
import { logSize, logTail, readLogFrom, reloadOutcome } from "./reload_outcome.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `promise` or `ms`, whichever comes first, leaving no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function readPid(path: string): Promise<number | null> {
  try {
    const text = (await Deno.readTextFile(path)).trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

/**
 * One running NGINX master, started in its own session (master and workers share one
 * process group, so the whole gateway can be stopped without leaving an orphan worker).
 */
export class NginxMaster {
  private done = false;

  private constructor(
    private readonly child: Deno.ChildProcess,
    private readonly paths: NginxPaths,
    readonly startedAt: number,
    /** Resolves with the exit status when the master ends, for whatever reason. */
    readonly exited: Promise<Deno.CommandStatus>,
  ) {}

  get pid(): number {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.done;
  }

  /**
   * Starts `binary` on the live config and waits until it has written its pid file, which
   * NGINX does only after every listen socket is open. Throws with NGINX's message.
   */
  static async spawn(binary: string, paths: NginxPaths, timeoutMs: number): Promise<NginxMaster> {
    const offset = await logSize(paths.errorLog);
    await Deno.remove(paths.pidFile).catch(() => {});
    const child = new Deno.Command(binary, {
      args: ["-p", `${paths.prefix}/`, "-c", paths.confFile, "-e", paths.errorLog],
      detached: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const master: NginxMaster = new NginxMaster(
      child,
      paths,
      Date.now(),
      child.status.then((status) => {
        master.done = true;
        return status;
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (master.done) {
        const status = await master.exited;
        throw new Error(
          `nginx exited at start (code ${status.code}): ${await logTail(
            paths.errorLog,
            offset,
            4,
          )}`,
        );
      }
      if ((await readPid(paths.pidFile)) === child.pid) return master;
      await sleep(5);
    }
    await master.stop(0);
    throw new Error(
      `nginx did not start within ${timeoutMs} ms: ${await logTail(paths.errorLog, offset, 4)}`,
    );
  }

  /**
   * Reloads the live config (SIGHUP) and confirms from the error log that new workers run it
   * and the old ones were told to stop. On failure NGINX keeps the old config.
   */
  async reload(
    workers: number,
    timeoutMs: number,
  ): Promise<{ ok: true } | { ok: false; message: string }> {
    const offset = await logSize(this.paths.errorLog);
    signal(this.pid, "SIGHUP");
    const deadline = Date.now() + timeoutMs;
    let confirmedAt: number | null = null;
    while (Date.now() < deadline) {
      if (this.done) return { ok: false, message: "nginx exited during the reload" };
      const outcome = reloadOutcome(await readLogFrom(this.paths.errorLog, offset), this.pid);
      if (outcome.state === "failed") return { ok: false, message: outcome.message };
      if (outcome.state === "ok") {
        confirmedAt ??= Date.now();
        // Old workers accept connections until QUIT, which the master sends ~100 ms after
        // starting the new ones; wait for it so the caller's next request sees the new config.
        if (outcome.oldWorkersStopping >= workers || Date.now() - confirmedAt > 300) {
          return { ok: true };
        }
      }
      await sleep(outcome.state === "ok" ? 2 : 5);
    }
    return { ok: false, message: `nginx did not confirm the reload within ${timeoutMs} ms` };
  }

  /**
   * Graceful stop (SIGQUIT: running requests finish, WebSockets within the shutdown timeout),
   * then SIGTERM and SIGKILL to the whole process group. Returns when none of it is left.
   */
  async stop(graceMs: number): Promise<void> {
    const pgid = this.pid;
    if (!this.done) {
      signal(pgid, "SIGQUIT");
      await within(this.exited, graceMs);
    }
    if (!this.done) {
      signal(-pgid, "SIGTERM");
      await within(this.exited, 1000);
    }
    if (!this.done) signal(-pgid, "SIGKILL");
    await this.exited;
    await killProcesses(await nginxGroupMembers(pgid));
  }
}
