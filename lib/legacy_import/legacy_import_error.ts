/** The import cannot run at all (missing or foreign source, non-empty target …); nothing changed. */
export class LegacyImportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LegacyImportError";
  }
}
