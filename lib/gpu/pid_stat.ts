/** The fields of /proc/<pid>/stat that telemetry needs. */
export interface PidStat {
  ppid: number;
  /** utime + stime + cutime + cstime in clock ticks: reaped children's time moves into the parent's. */
  ticks: number;
  /** Clock ticks after boot; with the pid it identifies a process across pid reuse. */
  startTime: number;
  rssPages: number;
  /** The command name (truncated to 15 characters by the kernel). */
  comm: string;
}

/** Parses /proc/<pid>/stat; null when the text is not a stat line. */
export function parsePidStat(text: string): PidStat | null {
  // comm may contain spaces and parentheses: the fields start after the last ") ".
  const close = text.lastIndexOf(") ");
  const open = text.indexOf(" (");
  if (close < 0 || open < 0) return null;
  const f = text.slice(close + 2).split(" ");
  const n = (i: number) => Number(f[i]);
  const stat = {
    ppid: n(1),
    ticks: n(11) + n(12) + n(13) + n(14),
    startTime: n(19),
    rssPages: n(21),
    comm: text.slice(open + 2, close),
  };
  return Number.isFinite(stat.ppid) && Number.isFinite(stat.ticks) && Number.isFinite(stat.rssPages)
    ? stat
    : null;
}

/** The counters of /proc/<pid>/stat, without the command name. */
export type PidCounters = Omit<PidStat, "comm">;

const SPACE = 32;
const NEWLINE = 10;
const MINUS = 45;
const CLOSE_PAREN = 41;
// The pid, " (", a comm of at most 15 bytes (TASK_COMM_LEN) and ") " end well before this.
const COMM_END_BOUND = 64;

/** Index of the last ") " before `end`, 0 when there is none. */
function commEnd(bytes: Uint8Array, end: number): number {
  let i = end - 2;
  while (i > 0 && !(bytes[i] === CLOSE_PAREN && bytes[i + 1] === SPACE)) i--;
  return Math.max(i, 0);
}

/**
 * Parses /proc/<pid>/stat bytes straight into numbers (no strings: the per-sample hot path); null
 * when they are not a stat line. Fields are counted after the last ") ", as in parsePidStat.
 */
export function parsePidStatBytes(bytes: Uint8Array, length: number): PidCounters | null {
  const close = commEnd(bytes, Math.min(length, COMM_END_BOUND)) || commEnd(bytes, length);
  if (close === 0) return null;
  let ppid = NaN;
  let ticks = 0;
  let startTime = NaN;
  let rssPages = NaN;
  let field = 0;
  for (let i = close + 2; i < length && field <= 21; i++, field++) {
    const sign = bytes[i] === MINUS ? -1 : 1;
    if (sign < 0) i++;
    const from = i;
    let value = 0;
    for (; i < length && bytes[i] !== SPACE && bytes[i] !== NEWLINE; i++) {
      const digit = (bytes[i] ?? 0) - 48;
      value = digit >= 0 && digit <= 9 ? value * 10 + digit : NaN;
    }
    value = i > from ? sign * value : NaN;
    if (field === 1) ppid = value;
    else if (field >= 11 && field <= 14) ticks += value; // utime stime cutime cstime
    else if (field === 19) startTime = value;
    else if (field === 21) rssPages = value;
  }
  return Number.isFinite(ppid) && Number.isFinite(ticks) && Number.isFinite(rssPages)
    ? { ppid, ticks, startTime, rssPages }
    : null;
}

/** Page size and clock ticks per second from /proc/self/auxv (AT_PAGESZ = 6, AT_CLKTCK = 17). */
export function parseAuxv(bytes: Uint8Array): { pageSize: number; clockTicks: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pageSize = 4096;
  let clockTicks = 100;
  for (let offset = 0; offset + 16 <= bytes.byteLength; offset += 16) {
    const type = view.getBigUint64(offset, true);
    const value = Number(view.getBigUint64(offset + 8, true));
    if (type === 0n) break;
    if (type === 6n && value > 0) pageSize = value;
    if (type === 17n && value > 0) clockTicks = value;
  }
  return { pageSize, clockTicks };
}
