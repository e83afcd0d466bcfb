import type { Logger } from "../log/mod.ts";
import { readPidStat } from "../procfs/mod.ts";
import type { SystemStats } from "../shared/stats.ts";
import { attributeGpuMemory } from "./attribute_gpu_memory.ts";
import { buildSystemStats, type InstanceRoot } from "./build_system_stats.ts";
import type { GpuProvider, GpuSample } from "./gpu_provider.ts";
import type { HostSample } from "./host_sampler.ts";
import type { ProcessTreeSampler } from "./process_tree_sampler.ts";

/** The samplers and settings a hub combines. */
export interface StatsHubOptions {
  gpu: GpuProvider;
  host: { sample(): Promise<HostSample> };
  processes: ProcessTreeSampler;
  /** The running instances' root pids, asked once per sample. */
  roots: () => InstanceRoot[];
  logger: Logger;
  /** Default 1000. */
  intervalMs?: number;
  /** A GPU sample slower than this (a driver in trouble) is replaced by the previous one. Default 3000. */
  gpuTimeoutMs?: number;
}

/** Receives every published sample. */
export type StatsListener = (stats: SystemStats) => void;

const PRIME_MS = 250;

/**
 * Samples host, GPUs and instance process trees once per interval while someone listens, and
 * publishes one combined SystemStats to every subscriber. `current()` answers a sample on its own
 * (the API, the usage recorder every 10 s), reusing a recent one.
 */
export class StatsHub {
  readonly #options: StatsHubOptions;
  readonly #interval: number;
  readonly #logger: Logger;
  readonly #listeners = new Set<{ listener: StatsListener }>();
  #latest: SystemStats | null = null;
  #lastGpus: GpuSample[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped on every start and stop so a loop from an earlier subscription period ends. */
  #generation = 0;
  #inFlight: Promise<SystemStats | null> | null = null;
  #samples = 0;
  #warnedTimeout = false;

  constructor(options: StatsHubOptions) {
    this.#options = options;
    this.#interval = options.intervalMs ?? 1000;
    this.#logger = options.logger.child("stats");
  }

  /** Starts sampling with the first subscriber; the returned function unsubscribes (idempotent). */
  subscribe(listener: StatsListener): () => void {
    const entry = { listener };
    this.#listeners.add(entry);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      if (!this.#listeners.delete(entry)) return;
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  /** The last published sample (null before the first); check `timestamp` for staleness. */
  getLatest(): SystemStats | null {
    return this.#latest;
  }

  /** The latest sample if younger than `maxAgeMs`, else one new sample shared by concurrent callers. */
  async current(maxAgeMs = this.#interval): Promise<SystemStats | null> {
    if (this.#latest && Date.now() - this.#latest.timestamp < maxAgeMs) return this.#latest;
    return await this.#sample();
  }

  /** How many subscribers are listening. */
  get subscriberCount(): number {
    return this.#listeners.size;
  }

  /** Samples taken so far (including CPU baselines); lets tests prove that idle hubs do not sample. */
  get sampleCount(): number {
    return this.#samples;
  }

  /**
   * Stops sampling, drops subscribers, waits for a sample in flight and closes the files the process
   * sampler keeps open. Leaves the GPU provider open.
   */
  async close(): Promise<void> {
    this.#listeners.clear();
    this.#stop();
    await this.#inFlight;
    this.#options.processes.release();
  }

  #start(): void {
    const generation = ++this.#generation;
    // CPU figures are deltas: take a baseline, then publish shortly after instead of showing 0%.
    this.#timer = setTimeout(async () => {
      await this.#sample();
      if (generation === this.#generation) {
        this.#schedule(generation, Math.min(PRIME_MS, this.#interval));
      }
    }, 0);
  }

  #stop(): void {
    this.#generation++;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(generation: number, delay: number): void {
    this.#timer = setTimeout(async () => {
      const started = performance.now();
      const stats = await this.#sample();
      if (generation !== this.#generation) return;
      if (stats) this.#publish(stats);
      this.#schedule(generation, Math.max(0, this.#interval - (performance.now() - started)));
    }, delay);
  }

  #publish(stats: SystemStats): void {
    for (const { listener } of [...this.#listeners]) {
      try {
        listener(stats);
      } catch (error) {
        this.#logger.warn("A stats subscriber failed", { error });
      }
    }
  }

  #sample(): Promise<SystemStats | null> {
    this.#inFlight ??= this.#collect().finally(() => this.#inFlight = null);
    return this.#inFlight;
  }

  async #collect(): Promise<SystemStats | null> {
    this.#samples++;
    const { host, processes, gpu } = this.#options;
    try {
      const roots = this.#options.roots();
      // NVML calls run on Deno's thread pool, host and process reads mostly synchronously on this
      // thread: start the GPUs first so they overlap.
      const gpuSample = this.#sampleGpus();
      const hostSample = host.sample();
      const [trees, gpus, hostFigures] = await Promise.all([
        processes.sample(roots.map((r) => r.pid)),
        gpuSample,
        hostSample,
      ]);
      const attribution = attributeGpuMemory(trees, gpus, {
        livePids: processes.livePids,
        pidNamespace: processes.pidNamespace,
      });
      const timestamp = Date.now();
      this.#latest = buildSystemStats({
        timestamp,
        host: hostFigures,
        gpus,
        gpu,
        roots,
        trees,
        attribution,
        processName: (pid) => readPidStat(pid)?.comm ?? null,
      });
      return this.#latest;
    } catch (error) {
      this.#logger.error("Telemetry sample failed", { error });
      return null;
    }
  }

  async #sampleGpus(): Promise<GpuSample[]> {
    const { gpu } = this.#options;
    if (!gpu.available) return [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.#options.gpuTimeoutMs ?? 3000);
    });
    const gpus = await Promise.race([gpu.sample(), timeout]);
    clearTimeout(timer);
    if (gpus) {
      this.#lastGpus = gpus;
      this.#warnedTimeout = false;
      return gpus;
    }
    if (!this.#warnedTimeout) {
      this.#logger.warn("NVML did not answer in time; showing the previous GPU figures");
    }
    this.#warnedTimeout = true;
    return this.#lastGpus;
  }
}
