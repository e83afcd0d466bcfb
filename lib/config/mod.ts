export { CONFIG_DEFAULTS, ConfigError, loadConfig } from "./config.ts";
export type { Config } from "./config.ts";
export { assetPaths } from "./assets.ts";
