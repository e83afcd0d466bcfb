import { C, libc } from "../libc/mod.ts";

let subreaper = false;

/**
 * Makes AiKore a child subreaper (prctl PR_SET_CHILD_SUBREAPER): a process of an instance whose
 * parent exits (double fork, daemonizing) is re-parented to AiKore instead of init, so it stays
 * in AiKore's process tree. False when the kernel or FFI refuses.
 */
export function becomeChildSubreaper(): boolean {
  try {
    subreaper = subreaper || libc().prctl(C.PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) === 0;
  } catch {
    // no --allow-ffi, or not Linux: the other containment layers still apply
  }
  return subreaper;
}

/** True after a successful `becomeChildSubreaper()`. */
export function isChildSubreaper(): boolean {
  return subreaper;
}

/**
 * Collects the exit status of one zombie child that nobody else waits for (an orphan that was
 * re-parented to AiKore). Never call it for a pid that Deno.Command or a PTY waits on: their
 * own wait would then fail. True when the zombie was reaped.
 */
export function reapOrphan(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 1) return false;
  const status = new Int32Array(1);
  return libc().waitpid(pid, new Uint8Array(status.buffer), C.WNOHANG) === pid;
}
