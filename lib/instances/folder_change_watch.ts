/**
 * Wakes readers waiting for a folder to change (an instance's logs, a browsed output folder):
 * one inotify watch (Deno.watchFs) per folder, shared by everyone waiting on it and dropped with
 * the last of them. For logs the folder is watched, not the file, so a rotation (a new
 * `output.log`) wakes too. A watch only says "something changed": what is read after it is read
 * confined as always.
 *
 * Bounded: at most `maxFolders` folders are watched at once (an inotify instance each, a
 * per-user kernel resource). Beyond that, or where the folder cannot be watched, `watch`
 * answers null and the caller answers at once; the client paces itself.
 */
export class FolderChangeWatch {
  readonly #folders = new Map<string, WatchedFolder>();

  constructor(private readonly maxFolders = 32) {}

  /** Folders watched now (for tests and stats). */
  get watchedFolders(): number {
    return this.#folders.size;
  }

  /**
   * Starts watching `folder` before the caller reads, so a change between its read and its
   * wait is not missed. Null when no watch can be had.
   */
  watch(folder: string): FolderWait | null {
    let watched = this.#folders.get(folder);
    if (!watched) {
      if (this.#folders.size >= this.maxFolders) return null;
      let watcher: Deno.FsWatcher;
      try {
        watcher = Deno.watchFs(folder, { recursive: false });
      } catch {
        return null; // gone, not a folder, or out of inotify instances
      }
      const created: WatchedFolder = { watcher, waits: new Set() };
      watched = created;
      this.#folders.set(folder, created);
      this.#pump(folder, created).catch(() => this.#end(folder, created));
    }
    const wait = new FolderWait(() => this.#leave(folder, wait));
    watched.waits.add(wait);
    return wait;
  }

  async #pump(folder: string, watched: WatchedFolder): Promise<void> {
    for await (const _event of watched.watcher) {
      for (const wait of watched.waits) wait.wake();
    }
    this.#end(folder, watched); // the folder went away
  }

  /** Ends a watch whose folder went away or whose watcher failed: its waiters read again. */
  #end(folder: string, watched: WatchedFolder): void {
    if (this.#folders.get(folder) === watched) this.#folders.delete(folder);
    for (const wait of watched.waits) wait.wake();
    closeQuietly(watched.watcher);
  }

  #leave(folder: string, wait: FolderWait): void {
    const watched = this.#folders.get(folder);
    if (!watched?.waits.delete(wait) || watched.waits.size > 0) return;
    this.#folders.delete(folder);
    closeQuietly(watched.watcher);
  }
}

interface WatchedFolder {
  watcher: Deno.FsWatcher;
  waits: Set<FolderWait>;
}

/** One reader's wait on a watched folder; `release` it when done, whatever happened. */
export class FolderWait {
  #changed = false;
  #wake: (() => void) | null = null;

  constructor(readonly release: () => void) {}

  /** Marks a change (from the watch) and ends a wait in progress. */
  wake(): void {
    this.#changed = true;
    this.#wake?.();
  }

  /**
   * Resolves true once the folder changed since `watch` (or the last `until`), false when
   * `ms` passed or `signal` aborted first.
   */
  until(ms: number, signal: AbortSignal): Promise<boolean> {
    if (this.#changed || signal.aborted) {
      const changed = this.#changed;
      this.#changed = false;
      return Promise.resolve(changed);
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", finish);
        this.#wake = null;
        const changed = this.#changed;
        this.#changed = false;
        resolve(changed);
      };
      const timer = setTimeout(finish, ms);
      signal.addEventListener("abort", finish, { once: true });
      this.#wake = finish;
    });
  }
}

function closeQuietly(watcher: Deno.FsWatcher): void {
  try {
    watcher.close();
  } catch {
    // already closed
  }
}
