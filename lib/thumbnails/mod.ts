export { THUMBNAIL_LONGEST, Thumbnails } from "./thumbnails.ts";
export type { ThumbnailResult, ThumbnailsOptions, ThumbnailSource } from "./thumbnails.ts";
