export * from "../shared/http_error.ts";
