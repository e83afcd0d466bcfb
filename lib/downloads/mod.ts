export { ModelDownloads } from "./model_downloads.ts";
export type { ModelDownloadRequest, ModelDownloadsOptions } from "./model_downloads.ts";
