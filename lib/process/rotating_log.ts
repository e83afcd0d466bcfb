import { concatBytes } from "../shared/bytes.ts";
import { openBeneathSync, PathRefused, removeBeneathSync, renameBeneathSync } from "../fs/mod.ts";

/** Size limits of a rotating log. */
export interface RotatingLogOptions {
  /** Largest size of one file (default 50 MiB). */
  maxBytes?: number;
  /** Rotated files kept beside the live one: path.1 … path.keep (default 2, so ≤ 3 files). */
  keep?: number;
  /** Output waiting for the disk beyond this is dropped, never buffered (default 8 MiB). */
  maxPendingBytes?: number;
  /** Start a fresh file, moving an existing non-empty one to path.1 (default true). */
  rotateOnOpen?: boolean;
  /** Open and rotate beneath this folder, never through a symbolic link (lib/fs). */
  root?: string;
  /** Told about write errors (disk full …); output is dropped while they last. */
  onError?: (error: unknown) => void;
}

const encoder = new TextEncoder();

/**
 * An append-only log file with a size cap and numbered rotation. Writes are asynchronous and
 * never block the caller: when the disk cannot keep up, output is dropped and a note saying
 * how much is written into the log instead.
 */
export class RotatingLog {
  readonly maxBytes: number;
  readonly keep: number;
  #file: Deno.FsFile;
  #size = 0;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #maxPending: number;
  #writing: Promise<void> | null = null;
  #unreportedDrops = 0;
  #droppedTotal = 0;
  #closed = false;
  #onError: (error: unknown) => void;
  #root: string | undefined;

  constructor(readonly path: string, options: RotatingLogOptions = {}) {
    this.maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
    this.keep = options.keep ?? 2;
    if (!Number.isSafeInteger(this.maxBytes) || this.maxBytes < 1024) {
      throw new RangeError(`Log size cap must be at least 1024 bytes, got ${this.maxBytes}`);
    }
    if (!Number.isSafeInteger(this.keep) || this.keep < 0 || this.keep > 100) {
      throw new RangeError(`Rotated log count must be 0–100, got ${this.keep}`);
    }
    this.#maxPending = options.maxPendingBytes ?? 8 * 1024 * 1024;
    this.#onError = options.onError ?? (() => {});
    this.#root = options.root;
    let existing = 0;
    try {
      existing = this.#root ? this.#lstatSize(path) : Deno.statSync(path).size;
    } catch (error) {
      if (error instanceof PathRefused) throw error;
      // no previous log
    }
    if (existing > 0 && (options.rotateOnOpen ?? true)) {
      this.#shiftFiles();
    } else {
      this.#size = existing;
    }
    this.#file = this.#open();
  }

  #open(): Deno.FsFile {
    if (this.#root) return openBeneathSync(this.#root, this.path, "create-append");
    return Deno.openSync(this.path, { create: true, append: true });
  }

  /** Size through the confined open: a link at the log's place is refused, not followed. */
  #lstatSize(path: string): number {
    const file = openBeneathSync(this.#root as string, path, "read");
    try {
      return file.statSync().size;
    } finally {
      file.close();
    }
  }

  /** Bytes dropped so far because the disk was slow, full or failing. */
  get droppedBytes(): number {
    return this.#droppedTotal;
  }

  /** Queues `chunk` for the file; drops it when too much is already waiting. */
  write(chunk: Uint8Array): void {
    if (this.#closed || chunk.length === 0) return;
    if (this.#pendingBytes + chunk.length > this.#maxPending) {
      this.#drop(chunk.length);
      return;
    }
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.#writing ??= this.#drain().finally(() => (this.#writing = null));
  }

  /** Resolves when everything queued so far is on disk (or dropped). */
  async flush(): Promise<void> {
    while (this.#writing !== null) await this.#writing;
  }

  /** Flushes and closes the file; later writes are ignored. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#file.close();
  }

  #drop(bytes: number): void {
    this.#unreportedDrops += bytes;
    this.#droppedTotal += bytes;
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const parts = this.#pending;
      this.#pending = [];
      this.#pendingBytes = 0;
      if (this.#unreportedDrops > 0) {
        const note = `\r\n[aikore] ${this.#unreportedDrops} bytes of output were dropped ` +
          `(the log disk was too slow or full)\r\n`;
        parts.unshift(encoder.encode(note));
        this.#unreportedDrops = 0;
      }
      const batch = concatBytes(parts);
      let offset = 0;
      while (offset < batch.length) {
        try {
          if (this.#size >= this.maxBytes) this.#rotate();
          const end = Math.min(batch.length, offset + this.maxBytes - this.#size);
          offset += await this.#writeAll(batch.subarray(offset, end));
        } catch (error) {
          this.#onError(error);
          this.#drop(batch.length - offset);
          break;
        }
      }
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<number> {
    let written = 0;
    while (written < bytes.length) {
      const count = await this.#file.write(bytes.subarray(written));
      written += count;
      this.#size += count;
    }
    return written;
  }

  #rotate(): void {
    this.#file.close();
    try {
      this.#shiftFiles();
      this.#file = this.#open();
    } catch (error) {
      // The file is closed: later output is dropped instead of written anywhere else.
      this.#closed = true;
      throw error;
    }
  }

  /** path.(keep-1) → path.keep … path → path.1; with keep = 0 the old file is just removed. */
  #shiftFiles(): void {
    for (let index = this.keep - 1; index >= 1; index--) {
      renameIfPresent(`${this.path}.${index}`, `${this.path}.${index + 1}`, this.#root);
    }
    if (this.keep > 0) renameIfPresent(this.path, `${this.path}.1`, this.#root);
    else removeIfPresent(this.path, this.#root);
    this.#size = 0;
  }
}

function renameIfPresent(from: string, to: string, root: string | undefined): void {
  try {
    if (root) renameBeneathSync(root, from, to);
    else Deno.renameSync(from, to);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function removeIfPresent(path: string, root: string | undefined): void {
  try {
    if (root) removeBeneathSync(root, path);
    else Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
