import { statfs } from "node:fs/promises";
import type { Logger } from "../log/mod.ts";
import { diskLowThreshold } from "../shared/notification_settings.ts";

/** What statfs(2) says of a file system (the fields used). */
export interface FsSpace {
  bavail: number;
  blocks: number;
  bsize: number;
}

export interface DiskSpaceWatchOptions {
  /** A path on the watched file system (the data dir). */
  path: string;
  /** Told once when free space falls under the threshold, again only after it recovered. */
  onLow: (freeBytes: number, totalBytes: number) => void;
  logger: Logger;
  /** How often to look (default 60 s). */
  intervalMs?: number;
  /** statfs (tests give their own). */
  statfs?: (path: string) => Promise<FsSpace>;
}

/**
 * Watches the free space of the data dir's file system, even when nobody looks at the
 * dashboard: a 100 GB download or a run's outputs can fill it overnight. Low is under 10 % of
 * the disk and at most 20 GiB; it counts as recovered above 1.5 times that, so a disk that hovers
 * near the line is told once, not every minute.
 */
export class DiskSpaceWatch {
  #low = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly #statfs: (path: string) => Promise<FsSpace>;

  constructor(private readonly options: DiskSpaceWatchOptions) {
    this.#statfs = options.statfs ?? statfs;
  }

  start(): void {
    const look = () => {
      this.check().catch((error) => {
        this.options.logger.warn("disk space check failed", { path: this.options.path, error });
      });
    };
    look();
    this.#timer = setInterval(look, this.options.intervalMs ?? 60_000);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Looks once (the timer's work; tests call it). */
  async check(): Promise<void> {
    const fs = await this.#statfs(this.options.path);
    const total = fs.blocks * fs.bsize;
    const free = fs.bavail * fs.bsize; // what an unprivileged writer may still use
    if (total <= 0) return;
    const threshold = diskLowThreshold(total);
    if (!this.#low && free < threshold) {
      this.#low = true;
      this.options.logger.warn("the data disk is running low", { path: this.options.path, free });
      this.options.onLow(free, total);
    } else if (this.#low && free > threshold * 1.5) {
      this.#low = false;
      this.options.logger.info("the data disk has room again", { path: this.options.path, free });
    }
  }
}
