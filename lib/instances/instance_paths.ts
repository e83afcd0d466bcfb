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
  /** Where the blueprint names the step it is at (`aikore_step`; shown while it starts). */
  stepFile(slug: string): string {
    return `${this.instanceDir(slug)}/.aikore-step`;
  }
  rebuildMarker(slug: string): string {
    return `${this.instanceDir(slug)}/.rebuild-env`;
  }
}
