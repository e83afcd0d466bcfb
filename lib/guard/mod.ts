/**
 * What keeps one AiKore process alive and alone: a crash guard for escaped errors, a
 * fire-and-forget helper that logs failures, the data-directory lock and the listen check.
 */
export { describe as describeError, installCrashGuard } from "./crash_guard.ts";
export { background } from "./background.ts";
export { DataDirLockedError, lockDataDir } from "./data_dir_lock.ts";
export type { DataDirLock } from "./data_dir_lock.ts";
export { AddressInUseError, assertCanListen } from "./listen_check.ts";
