import type { InstanceRecord } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import { type Pty, PtySession, type PtySessionOptions, spawnPty } from "../pty/mod.ts";
import { DomainError } from "../shared/domain_error.ts";
import { cudaVisibleDevicesOf } from "../shared/identifiers.ts";
import type { BlueprintSource } from "./blueprint_source.ts";
import { ACTIVATE_ENVIRONMENT, environmentVariables } from "./environment_activation.ts";
import type { InstancePaths } from "./instance_paths.ts";
import type { EventBus } from "./event_bus.ts";
import { INSTANCE_REMOVED_EVENT } from "./instance_store.ts";
import { writeFileAtomic } from "../fs/mod.ts";
import { sessionsWithJobs } from "../procfs/mod.ts";
import type { TerminalInfo } from "../shared/terminal_list.ts";
import {
  adoptHeldShells,
  type HeldPty,
  type HeldShellRecord,
  spawnHeldShell,
  type TerminalHolderSetup,
} from "./held_shell.ts";

/**
 * A live shell in an instance's environment, owned by AiKore: it survives page reloads and,
 * under a holder, restarts of AiKore.
 */
export interface Terminal {
  id: string;
  instanceId: number;
  session: PtySession;
  createdAt: number;
  lastActiveAt: number;
}

/** What the API lists about a terminal. */
export type { TerminalInfo };

export interface TerminalManagerDeps {
  paths: InstancePaths;
  blueprints: BlueprintSource;
  logger: Logger;
  baseEnv: Record<string, string>;
  /** Most terminals alive at once; beyond it a clear refusal. */
  limit: number;
  /**
   * A terminal nobody watched, that printed nothing and runs no job for this long, is closed
   * (default 30 min).
   */
  idleMs?: number;
  now?: () => number;
  /** The instance events: a deleted instance's terminals end with it. */
  events?: Pick<EventBus, "subscribe">;
  /**
   * Run each shell under a holder of its own, so that it outlives AiKore (held_shell.ts);
   * without one, or when a holder cannot start, the shell runs on a pty of AiKore's own.
   */
  holder?: TerminalHolderSetup | null;
}

/** Output of a terminal kept for a viewer that attaches later. */
const TERMINAL_SCROLLBACK_BYTES = 512 * 1024;

/**
 * How a terminal's session treats its viewers: a slow one pauses the shell (it is interactive:
 * nothing is skipped), and a viewer that attaches later gets the last 512 KiB.
 */
export const TERMINAL_SESSION: PtySessionOptions = {
  slowViewer: "pause",
  scrollbackBytes: TERMINAL_SCROLLBACK_BYTES,
};

/** The first line a new terminal shows, before a slow ~/.bashrc or conda activation runs. */
export const TERMINAL_STARTING = "[aikore] starting a shell for";

/**
 * The shell start-up file: a line that says the shell is starting (a ~/.bashrc can take long,
 * and keys typed meanwhile echo with no prompt), the user's bashrc, then the instance environment
 * (venv or conda), values read from variables so nothing is pasted into shell text.
 */
const TERMINAL_RC = `# Written by AiKore: start-up file of instance terminals.
printf '\\033[2m${TERMINAL_STARTING} %s: ~/.bashrc, then its environment…\\033[0m\\r\\n' "$INSTANCE_SLUG"
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
${ACTIVATE_ENVIRONMENT}cd "$INSTANCE_DIR" 2>/dev/null || true
PS1="(\${INSTANCE_SLUG}) \\w \\$ "
`;

function isLive(terminal: Terminal): boolean {
  return terminal.session.exitStatus === null;
}

/** Interactive terminals of instances: capped, reattachable, reaped when idle. */
export class TerminalManager {
  readonly #d: TerminalManagerDeps;
  readonly #terminals = new Map<string, Terminal>();
  /** The terminals whose shell runs under a holder (they can be left running for a restart). */
  readonly #held = new Map<string, HeldPty>();
  #reaper: ReturnType<typeof setInterval> | null = null;

  constructor(deps: TerminalManagerDeps) {
    this.#d = deps;
    // A deleted instance's shells must not outlive it (nor be listed under a later instance).
    deps.events?.subscribe((event) => {
      if (event.type !== INSTANCE_REMOVED_EVENT) return;
      const id = (event.data as { id: number }).id;
      this.closeFor(id).catch((error) =>
        deps.logger.warn("closing the terminals of a deleted instance failed", { id, error })
      );
    });
  }

  get count(): number {
    return this.#terminals.size;
  }

  /** Opens a shell in the environment of `record` (its parent's for a satellite). */
  async open(record: InstanceRecord, parent: InstanceRecord | null): Promise<Terminal> {
    if (this.#terminals.size >= this.#d.limit) {
      throw new DomainError(
        "busy",
        `Too many terminals open (${this.#d.limit}); close one before opening another`,
        { limit: this.#d.limit },
        "terminal_limit",
      );
    }
    const owner = parent ?? record;
    const blueprint = await this.#d.blueprints.find(owner.blueprint).catch(() => null);
    const ownerDir = this.#d.paths.instanceDir(owner.slug);
    const ownDir = this.#d.paths.instanceDir(record.slug);
    await Deno.mkdir(ownDir, { recursive: true });
    const rcFile = `${this.#d.paths.tmpRoot}/terminal.rc`;
    await Deno.mkdir(this.#d.paths.tmpRoot, { recursive: true });
    await writeFileAtomic(rcFile, TERMINAL_RC);
    const id = crypto.randomUUID();
    const env: Record<string, string> = {
      ...this.#d.baseEnv,
      TERM: "xterm-256color",
      COLORTERM: "truecolor",
      INSTANCE_NAME: record.name,
      INSTANCE_SLUG: record.slug,
      INSTANCE_DIR: ownDir,
      INSTANCE_CONF_DIR: ownerDir,
      INSTANCE_OUTPUT_DIR: this.#d.paths.outputDir(record.outputPath),
      ...environmentVariables(blueprint, ownerDir),
      AIKORE_TERMINAL_ID: id,
      CUDA_DEVICE_ORDER: "PCI_BUS_ID",
    };
    const devices = cudaVisibleDevicesOf(record.gpuIds);
    if (devices !== null) env.CUDA_VISIBLE_DEVICES = devices;
    const now = this.#now();
    const argv = ["bash", "--rcfile", rcFile, "-i"];
    const shell = { id, instanceId: record.id, createdAt: now, argv, env, cwd: ownDir };
    const held = await this.#heldShell(shell);
    const pty = held ??
      spawnPty({ file: "bash", args: argv.slice(1), env, cwd: ownDir, cols: 80, rows: 24 });
    return this.#track({ id, instanceId: record.id, createdAt: now }, pty, held);
  }

  /**
   * Takes back the shells a previous AiKore left under holders (it stopped with "leave",
   * crashed or was killed), with their scrollback, where `isInstance` knows their instance and
   * the cap allows; the others are ended. Without holders, nothing can have been left.
   */
  async adoptLeftovers(
    isInstance: (id: number) => boolean,
  ): Promise<{ adopted: number; ended: number }> {
    if (!this.#d.holder) return { adopted: 0, ended: 0 };
    let room = this.#d.limit - this.#terminals.size;
    const { adopted, ended } = await adoptHeldShells(this.#d.holder.root, (record) => {
      if (!isInstance(record.instanceId) || room <= 0) return false;
      room--;
      return true;
    });
    for (const { record, pty } of adopted) this.#track(record, pty, pty);
    return { adopted: adopted.length, ended };
  }

  /** Registers a running shell: listed, watched for its exit and for activity, reaped when idle. */
  #track(shell: HeldShellRecord, pty: Pty, held: HeldPty | null): Terminal {
    const session = new PtySession(pty, TERMINAL_SESSION);
    const terminal: Terminal = { ...shell, session, lastActiveAt: this.#now() };
    this.#terminals.set(shell.id, terminal);
    if (held) this.#held.set(shell.id, held);
    const forget = () => this.#forget(shell.id);
    session.exited.then(forget, forget);
    session.onOutput(() => terminal.lastActiveAt = this.#now());
    this.#startReaper();
    return terminal;
  }

  /** A live terminal of `instanceId`, or null. */
  get(id: string, instanceId: number): Terminal | null {
    const terminal = this.#terminals.get(id);
    return terminal && terminal.instanceId === instanceId && isLive(terminal) ? terminal : null;
  }

  /**
   * The live terminals (of one instance): a shell that exited is gone from the list from the
   * moment its viewers are told, while its pty is still being released.
   */
  list(instanceId?: number): TerminalInfo[] {
    const live = [...this.#terminals.values()]
      .filter((t) => (instanceId === undefined || t.instanceId === instanceId) && isLive(t));
    const busy = live.length === 0 ? new Set<number>() : sessionsWithJobs();
    return live
      .map((t) => ({
        id: t.id,
        instance_id: t.instanceId,
        created_at: new Date(t.createdAt).toISOString(),
        last_active_at: new Date(t.lastActiveAt).toISOString(),
        viewers: t.session.viewerCount,
        running_job: busy.has(t.session.pid),
      }));
  }

  /** Ends a terminal's shell and everything it started. */
  async close(id: string): Promise<boolean> {
    const terminal = this.#terminals.get(id);
    if (!terminal) return false;
    this.#forget(id);
    terminal.session.kill("SIGHUP");
    await terminal.session.close();
    return true;
  }

  /** Closes the terminals of one instance (it was deleted). */
  async closeFor(instanceId: number): Promise<void> {
    const ids = [...this.#terminals.values()].filter((t) => t.instanceId === instanceId).map((t) =>
      t.id
    );
    await Promise.all(ids.map((id) => this.close(id)));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#terminals.keys()].map((id) => this.close(id)));
    if (this.#reaper !== null) clearInterval(this.#reaper);
    this.#reaper = null;
  }

  /**
   * AiKore stops and leaves the instances running: shells under holders keep running too, for
   * the next AiKore to adopt; shells on AiKore's own ptys (no holder) cannot, and are closed.
   */
  async detachAll(): Promise<void> {
    const held = [...this.#held.entries()];
    for (const [id] of held) this.#forget(id);
    await Promise.all(held.map(([, pty]) => pty.detach()));
    await this.closeAll();
  }

  /**
   * Closes the idle terminals: nobody watched them and they printed nothing for the idle time,
   * and their shell runs no job (a silent download or a training left running must never get
   * the hang-up a close sends); returns how many.
   */
  async reapIdle(): Promise<number> {
    const idleMs = this.#d.idleMs ?? 30 * 60_000;
    const now = this.#now();
    const quiet = [...this.#terminals.values()].filter((t) =>
      t.session.viewerCount === 0 && now - t.lastActiveAt >= idleMs
    );
    const busy = quiet.length === 0 ? new Set<number>() : sessionsWithJobs();
    const idle = quiet.filter((t) => !busy.has(t.session.pid));
    await Promise.all(idle.map((t) => this.close(t.id)));
    return idle.length;
  }

  /** Marks a terminal as used (a viewer attached or typed). */
  touch(terminal: Terminal): void {
    terminal.lastActiveAt = this.#now();
  }

  /** The shell under a holder, or null to run it in AiKore (no holder, or it failed to start). */
  async #heldShell(
    shell: HeldShellRecord & { argv: string[]; env: Record<string, string>; cwd: string },
  ): Promise<HeldPty | null> {
    const holder = this.#d.holder;
    if (!holder) return null;
    const spec = { ...shell, cols: 80, rows: 24, scrollbackBytes: TERMINAL_SCROLLBACK_BYTES };
    try {
      const pty = await spawnHeldShell(holder, spec);
      if (pty === null) {
        this.#d.logger.warn("the data folder's path is too long for a terminal holder's socket", {
          root: holder.root,
        });
      }
      return pty;
    } catch (error) {
      this.#d.logger.warn("could not start a terminal under a holder; it runs inside AiKore", {
        error,
      });
      return null;
    }
  }

  #forget(id: string): void {
    this.#terminals.delete(id);
    this.#held.delete(id);
    if (this.#terminals.size === 0 && this.#reaper !== null) {
      clearInterval(this.#reaper);
      this.#reaper = null;
    }
  }

  #startReaper(): void {
    if (this.#reaper !== null) return;
    this.#reaper = setInterval(() => {
      this.reapIdle().catch((error) => this.#d.logger.warn("terminal reaping failed", { error }));
    }, 60_000);
  }

  #now(): number {
    return this.#d.now?.() ?? Date.now();
  }
}
