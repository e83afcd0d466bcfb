/** How a process ended: an exit code, or the signal that killed it (the other is null). */
export interface ExitStatus {
  code: number | null;
  signal: number | null;
}

/** Decodes a raw `waitpid` status word (the WIFEXITED/WTERMSIG macros, by hand). */
export function decodeWaitStatus(status: number): ExitStatus {
  const low = status & 0x7f;
  if (low === 0) return { code: (status >> 8) & 0xff, signal: null };
  if (low !== 0x7f) return { code: null, signal: low };
  // Stopped/continued states are not reported by a waitpid without WUNTRACED; treat as unknown.
  return { code: null, signal: null };
}

/** A short human text: "exit code 3", "killed by signal 9", "unknown exit". */
export function describeExit(status: ExitStatus): string {
  if (status.code !== null) return `exit code ${status.code}`;
  if (status.signal !== null) return `killed by signal ${status.signal}`;
  return "unknown exit";
}
