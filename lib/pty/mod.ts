/**
 * Pseudo-terminals over libc FFI: spawn a program on a pty in its own session, share it
 * between viewers with scrollback and flow control, and bridge it to a WebSocket.
 */
export { spawnPty } from "./spawn_pty.ts";
export type { ExitStatus, Pty, PtySpawnOptions } from "./pty.ts";
export { PtySession } from "./pty_session.ts";
export type { PtySessionOptions, PtyViewer } from "./pty_session.ts";
export {
  BRIDGE_ACK_EVERY_BYTES,
  bridgeSocket,
  MAX_UNREAD_BYTES,
  SLOW_VIEWER_CLOSE_CODE,
} from "./socket_bridge.ts";
export type { SocketBridge, SocketBridgeOptions, SocketSink } from "./socket_bridge.ts";
export { decodeWaitStatus, describeExit } from "./wait_status.ts";
export {
  assertGroupTarget,
  assertSignalTarget,
  signalGroup,
  signalProcess,
} from "./safe_signal.ts";
export { settleWithin } from "./settle_within.ts";
export { type PtyInputWriter, ptyInputWriter } from "./pty_input.ts";
export { becomeChildSubreaper, isChildSubreaper, reapOrphan } from "./child_reaper.ts";
