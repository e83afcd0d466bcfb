import { exists } from "../fs/mod.ts";
import type { NginxPaths } from "./nginx_paths.ts";

/** Outcome of `nginx -t` on one file. */
export interface ConfigTest {
  ok: boolean;
  /** NGINX's own message when the test failed. */
  message: string | null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function syncDir(path: string): Promise<void> {
  const dir = await Deno.open(path, { read: true });
  try {
    await dir.sync();
  } finally {
    dir.close();
  }
}

/**
 * The managed NGINX's files: a candidate is written to staging, tested, then swapped in by
 * rename, so the live config is always one that passed `nginx -t`. The config it replaced is
 * kept as a hard link for rollback; a failed candidate is quarantined as `nginx.conf.err`.
 */
export class ConfigStore {
  constructor(readonly paths: NginxPaths, private readonly binary: string) {}

  /** Creates the prefix folders (traversable, so NGINX workers running as nobody can reach them). */
  async ensureDirs(): Promise<void> {
    const { prefix, tempDir, stagingDir } = this.paths;
    for (const dir of [prefix, `${prefix}/logs`, tempDir, stagingDir]) {
      await Deno.mkdir(dir, { recursive: true });
    }
    for (const dir of [prefix, `${prefix}/logs`, tempDir]) await Deno.chmod(dir, 0o755);
  }

  /** The live config text, or null when there is none yet. */
  async readLive(): Promise<string | null> {
    try {
      return await Deno.readTextFile(this.paths.confFile);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  /** Writes and flushes the candidate config; throws with the OS reason (e.g. disk full). */
  async stage(text: string): Promise<void> {
    const data = new TextEncoder().encode(text);
    try {
      const file = await Deno.open(this.paths.stagingConf, {
        write: true,
        create: true,
        truncate: true,
        mode: 0o644,
      });
      try {
        let written = 0;
        while (written < data.length) written += await file.write(data.subarray(written));
        await file.syncData();
      } finally {
        file.close();
      }
    } catch (error) {
      await Deno.remove(this.paths.stagingConf).catch(() => {});
      throw new Error(`Cannot write the new gateway config: ${describe(error)}`);
    }
  }

  /** Runs `nginx -t` on `file` (default: the staged candidate). */
  async test(file = this.paths.stagingConf): Promise<ConfigTest> {
    const { prefix } = this.paths;
    const output = await new Deno.Command(this.binary, {
      args: ["-t", "-q", "-p", `${prefix}/`, "-c", file, "-e", `${prefix}/logs/test.log`],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (output.success) return { ok: true, message: null };
    const lines = new TextDecoder().decode(output.stderr).split("\n")
      .map((line) => line.replace(/^nginx: /, "").trim())
      .filter((line) => line && !/^configuration file .* test failed$/.test(line));
    return { ok: false, message: lines.join("\n") || `nginx -t exited with code ${output.code}` };
  }

  /** Makes the staged candidate live (rename), keeping the replaced config for `rollback`. */
  async swap(): Promise<void> {
    const { confFile, previousConf, stagingConf, prefix } = this.paths;
    await Deno.remove(previousConf).catch(() => {});
    if (await exists(confFile)) await Deno.link(confFile, previousConf);
    await Deno.rename(stagingConf, confFile);
    await syncDir(prefix);
  }

  /** Quarantines the live config and restores the one it replaced (after a failed reload). */
  async rollback(): Promise<void> {
    const { confFile, previousConf, quarantineConf, prefix } = this.paths;
    if (!(await exists(previousConf))) {
      await Deno.rename(confFile, quarantineConf);
    } else {
      await Deno.link(confFile, `${quarantineConf}.tmp`).catch(() => {});
      await Deno.rename(`${quarantineConf}.tmp`, quarantineConf).catch(() => {});
      await Deno.rename(previousConf, confFile);
    }
    await syncDir(prefix);
  }

  /** Keeps a candidate that failed its test as `nginx.conf.err`. */
  async quarantineStaged(): Promise<void> {
    await Deno.rename(this.paths.stagingConf, this.paths.quarantineConf).catch(() => {});
  }

  /** Moves a live config that no longer passes `nginx -t` aside (boot check). */
  async quarantineLive(): Promise<void> {
    await Deno.rename(this.paths.confFile, this.paths.quarantineConf).catch(() => {});
  }
}
