/**
 * Fakes for driving instance owners without real processes or real time: a clock advanced by
 * hand and a process layer whose processes live in memory. Used by the randomized owner test.
 */
import type { ExitStatus } from "../../lib/pty/mod.ts";
import type { Clock } from "../../lib/instances/runtime/clock.ts";
import type {
  HealthResult,
  LiveProcess,
  ProcessPort,
} from "../../lib/instances/runtime/process_port.ts";
import type { InstanceLaunchPlan } from "../../lib/instances/launch_plan.ts";

/** A clock that moves only when `advance` is called. */
export class FakeClock implements Clock {
  #now = Date.UTC(2026, 0, 1);
  #timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  #seq = 0;

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = target;
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }
}

/** One fake process: alive until it exits by itself or is stopped. */
export class FakeProcess implements LiveProcess {
  readonly startTicks = 1;
  readonly exited: Promise<ExitStatus>;
  alive = true;
  #resolve!: (status: ExitStatus) => void;
  #healthy: Array<() => void> = [];

  constructor(readonly pid: number, readonly marker: string) {
    this.exited = new Promise((resolve) => this.#resolve = resolve);
  }

  exit(status: ExitStatus): void {
    if (!this.alive) return;
    this.alive = false;
    this.#resolve(status);
  }

  becomeHealthy(): void {
    for (const notify of this.#healthy.splice(0)) notify();
  }

  onHealthy(notify: () => void): void {
    this.#healthy.push(notify);
  }
}

/** Lets other queued work run `n` times over (microtasks only: fakes never wait on real time). */
export async function yieldTimes(n: number): Promise<void> {
  for (let i = 0; i < n * 4; i++) await Promise.resolve();
}

/** A process layer of fake processes; `delay` decides how many turns each operation takes. */
export class FakeProcesses implements ProcessPort<FakeProcess> {
  readonly all: FakeProcess[] = [];
  #nextPid = 1000;
  failNextSpawn = false;

  constructor(private readonly delay: () => number = () => 0) {}

  spawn(plan: InstanceLaunchPlan): FakeProcess {
    if (this.failNextSpawn) {
      this.failNextSpawn = false;
      throw new Error("spawn failed (fake)");
    }
    const process = new FakeProcess(this.#nextPid++, plan.marker);
    this.all.push(process);
    return process;
  }

  waitHealthy(process: FakeProcess, _plan: InstanceLaunchPlan, signal: AbortSignal) {
    return new Promise<HealthResult>((resolve) => {
      process.onHealthy(() => resolve("healthy"));
      process.exited.then(() => resolve("exited"));
      signal.addEventListener("abort", () => resolve("aborted"), { once: true });
    });
  }

  async stopTree(process: FakeProcess, marker: string): Promise<void> {
    await yieldTimes(this.delay());
    process.exit({ code: null, signal: 15 });
    this.#killMarked(marker);
    await process.exited;
  }

  async cleanupAfterExit(marker: string): Promise<void> {
    await yieldTimes(this.delay());
    this.#killMarked(marker);
  }

  async sweep(marker: string): Promise<void> {
    await yieldTimes(this.delay());
    this.#killMarked(marker);
  }

  findMarked(marker: string): number[] {
    return this.alive(marker).map((p) => p.pid);
  }

  async release(): Promise<void> {
    await yieldTimes(this.delay());
  }

  /** Live processes carrying `marker`. */
  alive(marker: string): FakeProcess[] {
    return this.all.filter((p) => p.alive && p.marker === marker);
  }

  #killMarked(marker: string): void {
    for (const p of this.alive(marker)) p.exit({ code: null, signal: 9 });
  }
}
