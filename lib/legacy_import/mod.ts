export { detectLegacyDatabase } from "./detect_legacy_database.ts";
export type { LegacyDetection } from "./detect_legacy_database.ts";
export { importLegacyDatabase, LATEST_LEGACY_SCHEMA } from "./import_legacy_database.ts";
export type { ImportOptions, ImportReport, LegacyDirectory } from "./import_legacy_database.ts";
export type { ImportProblem } from "./plan_legacy_import.ts";
export { LegacyImportError } from "./legacy_import_error.ts";
export {
  listMovedLegacyDatabases,
  prepareLegacyDatabaseAtStart,
} from "./prepare_legacy_database_at_start.ts";
