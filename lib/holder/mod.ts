/**
 * Per-instance holders: a small native process (native/holder) that owns an instance's pty,
 * keeps reading it into the rotating log while AiKore is down, and serves consoles over a
 * unix socket in the instance's runtime folder. This module starts holders, finds them again
 * (identity checked) and talks their protocol.
 */
export { holderHandle, holderSocketFits, MAX_SOCKET_PATH, spawnHolder } from "./spawn_holder.ts";
export type { HolderHandle } from "./spawn_holder.ts";
export { findHolders, inspectHolder } from "./find_holders.ts";
export type { FoundHolder } from "./find_holders.ts";
export { HolderConnection } from "./holder_connection.ts";
export type { AttachOptions, OutputHandlers } from "./holder_connection.ts";
export type { HolderPlan } from "./launch_spec.ts";
export type { HolderExit, HolderStatus } from "./protocol.ts";
export {
  clearHolderRecords,
  HOLDER_MARKER_VARIABLE,
  holderPaths,
  isLiveHolder,
  readExitRecord,
  readHolderRecord,
} from "./holder_record.ts";
export type { HolderRecord } from "./holder_record.ts";
export { HOLDER_BIN_VARIABLE, holderBinaryPath } from "./holder_binary.ts";
export { signalNumber } from "./signal_number.ts";
export { attachHolderPty } from "./holder_pty.ts";
export type { HolderPty } from "./holder_pty.ts";
