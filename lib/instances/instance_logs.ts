import type { InstancePaths } from "./instance_paths.ts";

/** Most bytes one `GET …/logs` returns; the client asks again from the new offset. */
export const LOG_CHUNK_BYTES = 1024 * 1024;

/** A log read: text from `offset` and the offset to continue from (Python-compatible `size`). */
export interface LogChunk {
  content: string;
  size: number;
  /** True when the file was rotated or truncated since `offset`; reading restarted. */
  reset: boolean;
}

export interface LogMatch {
  file: string;
  line: number;
  text: string;
}

/** Reads an instance's log files (current run plus rotated copies). */
export class InstanceLogs {
  constructor(private readonly paths: InstancePaths) {}

  /** The current log file, then rotated copies newest first, that exist. */
  async files(slug: string): Promise<string[]> {
    const base = this.paths.logFile(slug);
    const files: string[] = [];
    for (const candidate of [base, `${base}.1`, `${base}.2`, `${base}.3`]) {
      try {
        const info = await Deno.lstat(candidate);
        if (info.isFile) files.push(candidate);
      } catch {
        // absent
      }
    }
    return files;
  }

  /** Bytes from `offset` (at most LOG_CHUNK_BYTES); a stale offset restarts at the tail. */
  async read(slug: string, offset: number): Promise<LogChunk> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.paths.logFile(slug), { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { content: "", size: 0, reset: offset > 0 };
      throw error;
    }
    try {
      const { size } = await file.stat();
      let start = offset;
      let reset = false;
      if (start > size) {
        start = Math.max(0, size - LOG_CHUNK_BYTES);
        reset = true;
      }
      const length = Math.min(size - start, LOG_CHUNK_BYTES);
      if (length <= 0) return { content: "", size: start, reset };
      await file.seek(start, Deno.SeekMode.Start);
      const buffer = new Uint8Array(length);
      let read = 0;
      while (read < length) {
        const n = await file.read(buffer.subarray(read));
        if (n === null) break;
        read += n;
      }
      return {
        content: new TextDecoder().decode(buffer.subarray(0, read)),
        size: start + read,
        reset,
      };
    } finally {
      file.close();
    }
  }

  /** The last `bytes` of the current log, for console replay of a stopped instance. */
  async tail(slug: string, bytes: number): Promise<Uint8Array> {
    try {
      const data = await Deno.readFile(this.paths.logFile(slug));
      return data.subarray(Math.max(0, data.length - bytes));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return new Uint8Array();
      throw error;
    }
  }

  /** Lines containing `query` (case-insensitive), oldest file first, at most `limit`. */
  async search(slug: string, query: string, limit: number): Promise<LogMatch[]> {
    const needle = query.toLowerCase();
    const matches: LogMatch[] = [];
    const files = (await this.files(slug)).reverse();
    for (const path of files) {
      const text = new TextDecoder().decode(await Deno.readFile(path));
      const lines = text.split(/\r?\n|\r/);
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] ?? "";
        // deno-lint-ignore no-control-regex
        const plain = line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
        if (plain.toLowerCase().includes(needle)) {
          matches.push({ file: path.slice(path.lastIndexOf("/") + 1), line: i + 1, text: plain });
          if (matches.length >= limit) return matches;
        }
      }
    }
    return matches;
  }
}
