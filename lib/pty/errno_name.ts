/** Names and descriptions for the errno values the PTY layer reports (Linux numbering). */
const ERRNO: Record<number, [string, string]> = {
  1: ["EPERM", "operation not permitted"],
  2: ["ENOENT", "no such file or directory"],
  7: ["E2BIG", "argument list too long"],
  8: ["ENOEXEC", "not an executable format"],
  11: ["EAGAIN", "resource temporarily unavailable"],
  12: ["ENOMEM", "out of memory"],
  13: ["EACCES", "permission denied"],
  20: ["ENOTDIR", "not a directory"],
  21: ["EISDIR", "is a directory"],
  23: ["ENFILE", "too many open files in the system"],
  24: ["EMFILE", "too many open files"],
  28: ["ENOSPC", "no space left on device"],
};

/** "no such file or directory (ENOENT)" for 2; "errno 99" for an unknown value. */
export function describeErrno(errno: number): string {
  const entry = ERRNO[errno];
  return entry ? `${entry[1]} (${entry[0]})` : `errno ${errno}`;
}
