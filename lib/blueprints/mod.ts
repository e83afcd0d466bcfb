export { parseBlueprintMetadata } from "./parse_blueprint_metadata.ts";
export {
  applyMetadataValue,
  defaultBlueprintMetadata,
  KNOWN_METADATA_KEYS,
} from "./blueprint_metadata.ts";
export type { BlueprintMetadata, HealthCheck } from "./blueprint_metadata.ts";
export {
  BlueprintError,
  BlueprintExistsError,
  BlueprintNotFoundError,
} from "./blueprint_errors.ts";
export {
  assertBlueprintFile,
  BlueprintCatalog,
  HELPER_LIBRARY,
  MAX_BLUEPRINT_BYTES,
} from "./blueprint_catalog.ts";
export type { BlueprintEntry } from "./blueprint_catalog.ts";
