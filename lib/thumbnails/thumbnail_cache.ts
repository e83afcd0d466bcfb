/**
 * The thumbnails kept on disk (`<data>/cache/thumbnails`), one JPEG per key, within a size: past
 * it, the oldest go until it is at 80 %. It is derived data: a thumbnail cut short by a crash is
 * not taken (a JPEG must start and end with its markers), and a cache that cannot be written (a
 * full disk, a file in its place) is logged once and costs only the reuse.
 */
import type { Logger } from "../log/mod.ts";

interface CachedFile {
  path: string;
  size: number;
  modified: number;
}

export class ThumbnailCache {
  /** Bytes in the folder; null until first counted. */
  #used: number | null = null;
  #warned = false;

  constructor(
    private readonly dir: string,
    private readonly limitBytes: number,
    private readonly logger: Logger,
  ) {}

  /** The thumbnail kept for `key`; null when there is none or it is damaged. */
  async read(key: string): Promise<Uint8Array<ArrayBuffer> | null> {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await Deno.readFile(this.#path(key));
    } catch {
      return null;
    }
    const n = bytes.length;
    const whole = n > 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[n - 2] === 0xff &&
      bytes[n - 1] === 0xd9;
    return whole ? bytes : null;
  }

  /** Keeps a thumbnail (temp file + rename), then trims the folder to its size if needed. */
  async write(key: string, jpeg: Uint8Array): Promise<void> {
    const path = this.#path(key);
    const temp = `${path}.tmp-${crypto.randomUUID()}`;
    try {
      await Deno.mkdir(this.dir, { recursive: true, mode: 0o750 });
      await Deno.writeFile(temp, jpeg, { mode: 0o640, createNew: true });
      await Deno.rename(temp, path);
      this.#warned = false;
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      if (!this.#warned) {
        this.#warned = true;
        this.logger.warn("thumbnails cannot be kept; they are made again each time", { error });
      }
      return;
    }
    this.#used = (this.#used ?? await this.#count()) + jpeg.length;
    if (this.#used > this.limitBytes) await this.#trim();
  }

  #path(key: string): string {
    return `${this.dir}/${key}.jpg`;
  }

  async #count(): Promise<number> {
    let total = 0;
    for (const file of await this.#files()) total += file.size;
    return total;
  }

  async #files(): Promise<CachedFile[]> {
    const files: CachedFile[] = [];
    for await (const entry of Deno.readDir(this.dir)) {
      if (!entry.isFile || !entry.name.endsWith(".jpg")) continue;
      const path = `${this.dir}/${entry.name}`;
      const info = await Deno.stat(path).catch(() => null);
      if (info) files.push({ path, size: info.size, modified: info.mtime?.getTime() ?? 0 });
    }
    return files;
  }

  /** Removes the oldest thumbnails until the folder is at 80 % of its size. */
  async #trim(): Promise<void> {
    const files = await this.#files();
    files.sort((a, b) => a.modified - b.modified);
    let used = files.reduce((sum, file) => sum + file.size, 0);
    const target = this.limitBytes * 0.8;
    for (const file of files) {
      if (used <= target) break;
      await Deno.remove(file.path).catch(() => {});
      used -= file.size;
    }
    this.#used = used;
  }
}
