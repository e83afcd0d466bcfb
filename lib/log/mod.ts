export { createLogger, LOG_LEVELS, silentLogger } from "./logger.ts";
export type { LogFields, Logger, LogLevel } from "./logger.ts";
