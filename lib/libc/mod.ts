/** AiKore's one binding of the C library (see libc.ts), used by lib/pty and lib/procfs. */
export { C, cString, cStringArray, lastErrno, libc, openPath, tryLibc } from "./libc.ts";
export type { Libc } from "./libc.ts";
