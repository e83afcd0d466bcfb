export * from "./identifiers.ts";
export * from "./instance_schema.ts";
export * from "./api_error.ts";
export * from "./http_error.ts";
