/** Where an instance's files live under the data dir. Slugs and paths are validated first. */
export class InstancePaths {
  constructor(readonly dataDir: string) {}

  get instancesRoot(): string {
    return `${this.dataDir}/instances`;
  }
  get outputsRoot(): string {
    return `${this.dataDir}/outputs`;
  }
  get trashRoot(): string {
    return `${this.dataDir}/trash`;
  }
  get customBlueprintsDir(): string {
    return `${this.dataDir}/custom_blueprints`;
  }
  get modelsRoot(): string {
    return `${this.dataDir}/models`;
  }
  get tmpRoot(): string {
    return `${this.dataDir}/tmp`;
  }

  instanceDir(slug: string): string {
    return `${this.instancesRoot}/${slug}`;
  }
  launchScript(slug: string): string {
    return `${this.instanceDir(slug)}/launch.sh`;
  }
  logsDir(slug: string): string {
    return `${this.instanceDir(slug)}/logs`;
  }
  /** The current run's log file; rotated copies get `.1`, `.2` … */
  logFile(slug: string): string {
    return `${this.logsDir(slug)}/output.log`;
  }
  outputDir(outputPath: string): string {
    return `${this.outputsRoot}/${outputPath}`;
  }
  rebuildMarker(slug: string): string {
    return `${this.instanceDir(slug)}/.rebuild-env`;
  }
}

/** True when `path` exists (any type, symlinks not followed). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Writes a file atomically: temp file in the same folder, fsync, rename. */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const temp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    const file = await Deno.open(temp, { write: true, createNew: true, mode });
    try {
      const bytes = new TextEncoder().encode(content);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.chmod(temp, mode);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}
