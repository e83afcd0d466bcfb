import { join } from "node:path";
import { MARKER_VARIABLE, stopProcessTree } from "../process/mod.ts";
import type { DesktopLease } from "./desktop_lease.ts";
import { readLeases, removeLease, withLeaseLock, writeLease } from "./lease_store.ts";
import { type Component, type ComponentSpec, logTail, spawnComponent } from "./spawn_component.ts";

/** How a desktop ended: by `stop()`, or by its X server ending on its own. */
export type DesktopExit =
  | { reason: "stopped" }
  | { reason: "crashed"; code: number; signal: string | null; message: string };

/** Files of one desktop under `<instance>/desktop/`. */
export function desktopFiles(desktopDir: string) {
  return {
    home: join(desktopDir, "home"),
    logs: join(desktopDir, "logs"),
    web: join(desktopDir, "web"),
    profile: join(desktopDir, "browser-profile"),
    authFile: join(desktopDir, "Xauthority"),
    kasmYaml: join(desktopDir, "kasmvnc.yaml"),
  };
}

/** The environment every program of the desktop starts with (nothing else of AiKore's). */
export interface DesktopEnv extends Record<string, string> {
  DISPLAY: string;
  XAUTHORITY: string;
}

/** DISPLAY, XAUTHORITY, a private HOME, PATH and the instance marker of a desktop's programs. */
export function desktopEnv(lease: DesktopLease, searchPath: string): DesktopEnv {
  const files = desktopFiles(lease.desktopDir);
  return {
    PATH: searchPath,
    HOME: files.home,
    LANG: "C.UTF-8",
    DISPLAY: `:${lease.display}`,
    XAUTHORITY: files.authFile,
    [MARKER_VARIABLE]: lease.marker,
  };
}

/**
 * The live state of one desktop: its lease, its started programs (each recorded in the lease
 * as soon as it runs, so a crash of AiKore leaves a complete record), and its teardown.
 */
export class DesktopRun {
  readonly components: Component[] = [];
  #stopping = false;
  #stopped: Promise<void> | null = null;

  constructor(readonly dataDir: string, readonly lease: DesktopLease, readonly graceMs: number) {}

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Starts a program of the desktop and records it in the lease. */
  async spawn(spec: Omit<ComponentSpec, "logFile">): Promise<Component> {
    const logFile = join(desktopFiles(this.lease.desktopDir).logs, `${spec.role}.log`);
    const component = spawnComponent({ ...spec, logFile });
    this.components.push(component);
    this.lease.processes.push({
      role: component.role,
      pid: component.pid,
      startTicks: component.startTicks,
    });
    await withLeaseLock(this.dataDir, () => writeLease(this.dataDir, this.lease));
    return component;
  }

  /** The tail of a program's log, for messages. */
  logOf(role: string): string {
    return logTail(join(desktopFiles(this.lease.desktopDir).logs, `${role}.log`));
  }

  /**
   * Ends every process of the desktop (SIGTERM, grace, SIGKILL, then a sweep of everything
   * carrying its marker), deletes the throwaway files, frees the display and ports. Safe to
   * call twice; the second call waits for the first. Rejects when a process survives SIGKILL.
   */
  stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped ??= this.#teardown().catch((error) => {
      this.#stopped = null; // a later stop() tries again
      throw error;
    });
    return this.#stopped;
  }

  async #teardown(): Promise<void> {
    const report = await stopProcessTree({ pid: null, marker: this.lease.marker }, {
      graceMs: this.graceMs,
    });
    if (report.survivors > 0) {
      // The lease stays (its marked survivors keep it live), so the display is not reused.
      throw new Error(
        `${report.survivors} process(es) of display :${this.lease.display} survived SIGKILL`,
      );
    }
    await Promise.all(this.components.map((c) => c.status));
    const files = desktopFiles(this.lease.desktopDir);
    for (const path of [files.profile, files.web, files.home, files.authFile, files.kasmYaml]) {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    }
    await withLeaseLock(this.dataDir, async () => {
      const entry = (await readLeases(this.dataDir)).find((e) => e.display === this.lease.display);
      if (entry) await removeLease(entry, this.lease.leaseId);
    });
  }
}
