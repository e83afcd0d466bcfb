import type { Logger } from "../log/mod.ts";
import { NginxMaster } from "./nginx_master.ts";
import type { NginxPaths } from "./nginx_paths.ts";
import { killProcesses, nginxGroupMembers } from "./nginx_processes.ts";
import type { SerialRunner } from "./serial_runner.ts";

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Deaths in a row restarted at once before any delay; the dashboard lives behind nginx. */
const IMMEDIATE_RESTARTS = 10;
/** The longest pause between restarts: the dashboard is never away for more than this. */
const MAX_DELAY_MS = 1000;

/** What `MasterSupervisor` needs. */
export interface MasterSupervisorOptions {
  binary: string;
  paths: NginxPaths;
  /** Restarts run here, so they never interleave with a config change. */
  runner: SerialRunner;
  log: Logger;
  onError: (message: string) => void;
  /** Runs before each restart (puts the last good config back in place). */
  beforeRestart: () => Promise<void>;
}

/** The pause before restart number `failures` of a master that keeps dying young. */
export function restartDelayMs(failures: number): number {
  if (failures <= IMMEDIATE_RESTARTS) return 0;
  return Math.min(MAX_DELAY_MS, 50 * 2 ** (failures - IMMEDIATE_RESTARTS - 1));
}

/**
 * Keeps one NGINX master running on the live config: when it dies, its orphaned workers are
 * killed (they would hold the ports) and it is started again at once; only a master that keeps
 * dying young is paused between restarts, never more than a second.
 */
export class MasterSupervisor {
  restarts = 0;
  private current: NginxMaster | null = null;
  private supervising = false;
  private quickFailures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly o: MasterSupervisorOptions) {}

  /** The running master, or null. */
  get master(): NginxMaster | null {
    return this.current?.alive ? this.current : null;
  }

  /** Starts a master on the live config and supervises it from now on; throws NGINX's message. */
  async spawn(): Promise<void> {
    const master = await NginxMaster.spawn(this.o.binary, this.o.paths, 5000);
    this.current = master;
    this.supervising = true;
    this.o.log.info("nginx started", { pid: master.pid });
    master.exited
      .then((status) => this.onExit(master, status))
      .catch((error) => this.o.onError(`nginx supervision failed: ${describe(error)}`));
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
    this.o.onError(`nginx exited unexpectedly (code ${status.code}${signal})`);
    await killProcesses(await nginxGroupMembers(master.pid));
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (!this.supervising || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.o.runner.run(async () => {
        if (!this.supervising || this.master) return;
        try {
          await this.o.beforeRestart();
          await this.spawn();
          this.restarts += 1;
        } catch (error) {
          this.o.onError(`nginx restart failed: ${describe(error)}`);
          this.quickFailures += 1;
          this.scheduleRestart();
        }
      }).catch((error) => this.o.onError(`nginx restart failed: ${describe(error)}`));
    }, restartDelayMs(this.quickFailures));
  }
}
