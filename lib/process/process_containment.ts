/**
 * Finds every process of an instance, whatever it does to escape. Four layers, each catching
 * what the one before may miss:
 *
 * - cgroup (where a writable cgroup v2 hierarchy exists, e.g. AiKore as root on a host): the
 *   leader enters `<AiKore's cgroup>/aikore/<marker>` before its program runs; every descendant
 *   inherits it and cannot leave. Catches everything: a changed or dropped marker, an
 *   overwritten environment (setproctitle), double fork + setsid — and survives a kill -9 of
 *   AiKore, so the next boot finds them too. The stop ends with cgroup.kill.
 * - tree: descendants by parent pid of any known member are members. Catches a child that
 *   drops or changes the marker, or overwrites its environment, while its parent chain leads
 *   back to the instance (setsid alone does not break it).
 * - subreaper (prctl PR_SET_CHILD_SUBREAPER, enabled by `main.ts`): an orphan whose parent
 *   exits is re-parented to AiKore instead of init; a member seen once stays a member (pid and
 *   start time remembered), so a daemon that double-forks after a census stays found, and its
 *   zombie is reaped. Not across a restart of AiKore.
 * - marker (`AIKORE_INSTANCE_ID=<marker>` in /proc/<pid>/environ): the fallback that also
 *   works after a restart without cgroups, for processes that keep their environment.
 *
 * Without cgroups, a process that both clears its marker and double-forks before any census
 * sees it, or that survives a restart of AiKore without its marker, cannot be attributed.
 */
import { isChildSubreaper, reapOrphan, signalProcess } from "../pty/mod.ts";
import { listLiveProcesses, type PidStat, readPidStat } from "../procfs/mod.ts";
import {
  type CgroupHome,
  type CgroupScope,
  killScope,
  listScopeMarkers,
  locateCgroupHome,
  openScope,
  removeScope,
  scopePids,
} from "./cgroup_scope.ts";
import { assertMarker, hasMarker } from "./process_identity.ts";

/** The layers active in this process (see the module comment for what each catches). */
export type ContainmentLayer = "cgroup" | "tree" | "subreaper" | "marker";

/** Where to look for cgroups; `cgroups: false` turns the layer off (tests of the fallbacks). */
export interface ContainmentOptions {
  cgroups?: boolean;
  cgroupRoot?: string;
  procRoot?: string;
}

/** Finds and contains the processes of every instance; one per AiKore (see `processContainment`). */
export class ProcessContainment {
  readonly #home: CgroupHome | null;
  readonly #instances = new Map<string, InstanceContainment>();

  constructor(options: ContainmentOptions = {}) {
    this.#home = options.cgroups === false
      ? null
      : locateCgroupHome(options.cgroupRoot, options.procRoot);
  }

  /** The layers this kernel and these privileges allow right now. */
  layers(): ContainmentLayer[] {
    return [
      ...(this.#home ? ["cgroup" as const] : []),
      "tree",
      ...(isChildSubreaper() ? ["subreaper" as const] : []),
      "marker",
    ];
  }

  /** The containment of the instance with `marker` (the same object on every call). */
  prepare(marker: string): InstanceContainment {
    assertMarker(marker);
    let instance = this.#instances.get(marker);
    if (!instance) {
      instance = new InstanceContainment(marker, this.#home);
      this.#instances.set(marker, instance);
    }
    return instance;
  }

  /** Markers starting with `prefix` whose cgroup a previous AiKore left (for the boot sweep). */
  leftoverMarkers(prefix: string): string[] {
    return this.#home ? listScopeMarkers(this.#home, prefix) : [];
  }
}

/** The processes of one instance. */
export class InstanceContainment {
  readonly marker: string;
  readonly #home: CgroupHome | null;
  /** Members seen so far: pid → start time (a reused pid has another start time). */
  readonly #known = new Map<number, number>();
  /** Pids that a PTY or Deno waits for; never reaped here. */
  readonly #leaders = new Set<number>();

  constructor(marker: string, home: CgroupHome | null) {
    this.marker = marker;
    this.#home = home;
  }

  /** The cgroup.procs file a new leader should enter (created now); null without cgroups. */
  entryFile(): string | null {
    return this.#home ? openScope(this.#home, this.marker, true)?.procsFile ?? null : null;
  }

  /** Counts `pid` as a member from now on (the leader AiKore spawned: `leader` = true). */
  adopt(pid: number, options: { leader?: boolean } = {}): void {
    const stat = readPidStat(pid);
    if (stat === null || pid <= 1 || pid === Deno.pid) return;
    this.#known.set(pid, stat.startTicks);
    if (options.leader) this.#leaders.add(pid);
  }

  /**
   * Live members now: the cgroup's, every process carrying the marker, the members seen before
   * (re-parented orphans included), `seeds`, and all their descendants. Remembers them, and
   * reaps the zombies of orphans that were re-parented to AiKore.
   */
  members(all: PidStat[] = listLiveProcesses(), seeds: readonly PidStat[] = []): PidStat[] {
    const candidates = all.filter((p) => p.pid > 1 && p.pid !== Deno.pid);
    const byPid = new Map(candidates.map((p) => [p.pid, p]));
    const found = new Map<number, PidStat>();
    const add = (p: PidStat | undefined) => p && found.set(p.pid, p);
    const scope = this.#scope();
    if (scope) { for (const pid of scopePids(scope)) add(byPid.get(pid)); }
    for (const [pid, startTicks] of this.#known) {
      const p = byPid.get(pid);
      if (p?.startTicks === startTicks) add(p);
    }
    for (const p of seeds) add(byPid.get(p.pid));
    for (const p of candidates) if (!found.has(p.pid) && hasMarker(p.pid, this.marker)) add(p);
    addDescendants(candidates, found);
    this.#remember(found);
    return [...found.values()];
  }

  /** SIGKILLs every member now (cgroup.kill where available); returns how many were found. */
  killAll(): number {
    const members = this.members();
    this.killCgroup();
    for (const p of members) signalProcess(p.pid, "SIGKILL");
    return members.length;
  }

  /** SIGKILLs the whole cgroup at once, late forks included; false without one. */
  killCgroup(): boolean {
    const scope = this.#scope();
    return scope !== null && killScope(scope);
  }

  /** Removes the instance's cgroup once it is empty; true when nothing of it is left. */
  release(): boolean {
    const scope = this.#scope();
    return scope === null || (scopePids(scope).length === 0 && removeScope(scope));
  }

  #scope(): CgroupScope | null {
    return this.#home ? openScope(this.#home, this.marker, false) : null;
  }

  /** Keeps the live members; forgets the dead ones after reaping re-parented zombies. */
  #remember(found: Map<number, PidStat>): void {
    for (const p of found.values()) this.#known.set(p.pid, p.startTicks);
    for (const [pid, startTicks] of this.#known) {
      if (found.has(pid)) continue;
      const stat = readPidStat(pid);
      const orphanZombie = stat?.startTicks === startTicks && stat.state === "Z" &&
        stat.ppid === Deno.pid;
      // A leader's zombie belongs to its PTY's wait; only re-parented orphans are reaped here.
      if (orphanZombie && !this.#leaders.has(pid)) reapOrphan(pid);
      this.#known.delete(pid);
      this.#leaders.delete(pid);
    }
  }
}

/** Adds every descendant (by parent pid) of the processes in `found`. */
function addDescendants(all: PidStat[], found: Map<number, PidStat>): void {
  const children = new Map<number, PidStat[]>();
  for (const p of all) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const queue = [...found.keys()];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (found.has(child.pid)) continue;
      found.set(child.pid, child);
      queue.push(child.pid);
    }
  }
}

let shared: ProcessContainment | null = null;

/** AiKore's containment, detected on first use; runPlan and stopProcessTree use it by default. */
export function processContainment(): ProcessContainment {
  shared ??= new ProcessContainment();
  return shared;
}

/**
 * Pids of every live process of the instance with `marker`: its cgroup (also one a previous
 * AiKore left), its marker, the members seen before and their descendants.
 */
export function findInstanceProcesses(marker: string): number[] {
  return processContainment().prepare(marker).members().map((p) => p.pid);
}
