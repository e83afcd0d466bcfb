/** A blueprint (or its file name) breaks a rule; `line` is 1-based, or null when not about a line. */
export class BlueprintError extends Error {
  readonly line: number | null;

  constructor(message: string, line: number | null = null) {
    super(message);
    this.name = "BlueprintError";
    this.line = line;
  }
}

/** No stock or custom blueprint has this file name. */
export class BlueprintNotFoundError extends Error {
  constructor(readonly file: string) {
    super(`blueprint "${file}" does not exist`);
    this.name = "BlueprintNotFoundError";
  }
}

/** A custom blueprint with this file name exists and overwriting was not asked for. */
export class BlueprintExistsError extends Error {
  constructor(readonly file: string) {
    super(`custom blueprint "${file}" already exists (pass overwrite to replace it)`);
    this.name = "BlueprintExistsError";
  }
}
