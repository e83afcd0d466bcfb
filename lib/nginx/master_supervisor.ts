import type { Logger } from "../log/mod.ts";
import { NginxMaster } from "./nginx_master.ts";
import type { NginxPaths } from "./nginx_paths.ts";
import { killProcesses, nginxGroupMembers } from "./nginx_processes.ts";
import type { SerialRunner } from "./serial_runner.ts";

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Keeps one NGINX master running on the live config: when it dies, its orphaned workers are
 * killed (they would hold the ports) and it is started again after 0.25 s, 0.5 s, 1 s … 30 s
 * (the back-off resets once a master stayed up for a minute). Restarts run on `runner`, so
 * they never interleave with a config change.
 */
export class MasterSupervisor {
  restarts = 0;
  private current: NginxMaster | null = null;
  private supervising = false;
  private quickFailures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly binary: string,
    private readonly paths: NginxPaths,
    private readonly runner: SerialRunner,
    private readonly log: Logger,
    private readonly onError: (message: string) => void,
  ) {}

  /** The running master, or null. */
  get master(): NginxMaster | null {
    return this.current?.alive ? this.current : null;
  }

  /** Starts a master on the live config and supervises it from now on; throws NGINX's message. */
  async spawn(): Promise<void> {
    const master = await NginxMaster.spawn(this.binary, this.paths, 5000);
    this.current = master;
    this.supervising = true;
    this.log.info("nginx started", { pid: master.pid });
    master.exited.then((status) => this.onExit(master, status)).catch((error) =>
      this.log.error("handling the nginx exit failed", { pid: master.pid, error })
    );
  }

  /** Stops supervising and stops the master (graceful for up to `graceMs`, then forced). */
  async stop(graceMs: number): Promise<void> {
    this.supervising = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const master = this.current;
    this.current = null;
    if (master) await master.stop(graceMs);
  }

  private async onExit(master: NginxMaster, status: Deno.CommandStatus): Promise<void> {
    if (this.current !== master || !this.supervising) return;
    this.current = null;
    this.quickFailures = Date.now() - master.startedAt > 60_000 ? 1 : this.quickFailures + 1;
    const signal = status.signal ? `, ${status.signal}` : "";
    this.onError(`nginx exited unexpectedly (code ${status.code}${signal})`);
    await killProcesses(await nginxGroupMembers(master.pid));
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (!this.supervising || this.timer !== null) return;
    const delay = Math.min(30_000, 250 * 2 ** Math.max(0, this.quickFailures - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runner.run(async () => {
        if (!this.supervising || this.master) return;
        try {
          await this.spawn();
          this.restarts += 1;
        } catch (error) {
          this.onError(`nginx restart failed: ${describe(error)}`);
          this.quickFailures += 1;
          this.scheduleRestart();
        }
      });
    }, delay);
  }
}
