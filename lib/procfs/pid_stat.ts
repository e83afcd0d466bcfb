/** The fields of /proc/<pid>/stat that AiKore uses (supervision and telemetry alike). */
export interface PidStat {
  pid: number;
  /** The command name (truncated to 15 characters by the kernel; may hold spaces and parens). */
  comm: string;
  /** R, S, D, Z (zombie), T, X … */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** utime + stime + cutime + cstime in clock ticks: reaped children's time moves into the parent's. */
  ticks: number;
  /** Field 22, clock ticks after boot; with the pid it identifies a process across pid reuse. */
  startTicks: number;
  rssPages: number;
}

/**
 * Parses one /proc/<pid>/stat line; null when the text is not one. `comm` may contain spaces
 * and parentheses, so the fields are split after the LAST ") ".
 */
export function parsePidStat(text: string): PidStat | null {
  const open = text.indexOf(" (");
  const close = text.lastIndexOf(") ");
  if (open < 1 || close < open) return null;
  const f = text.slice(close + 2).split(" ");
  const n = (i: number) => Number(f[i]);
  const state = f[0];
  if (state === undefined || state === "" || f.length < 22) return null;
  const stat: PidStat = {
    pid: Number(text.slice(0, open)),
    comm: text.slice(open + 2, close),
    state,
    ppid: n(1),
    pgid: n(2),
    sid: n(3),
    ticks: n(11) + n(12) + n(13) + n(14),
    startTicks: n(19),
    rssPages: n(21),
  };
  const numbers = [stat.pid, stat.ppid, stat.pgid, stat.sid, stat.startTicks];
  return numbers.every(Number.isSafeInteger) && Number.isFinite(stat.ticks) &&
      Number.isFinite(stat.rssPages)
    ? stat
    : null;
}

/** The counters of /proc/<pid>/stat that telemetry samples on its hot path. */
export type PidCounters = Pick<PidStat, "ppid" | "ticks" | "startTicks" | "rssPages">;

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
  let startTicks = NaN;
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
    else if (field === 19) startTicks = value;
    else if (field === 21) rssPages = value;
  }
  return Number.isFinite(ppid) && Number.isFinite(ticks) && Number.isFinite(rssPages)
    ? { ppid, ticks, startTicks, rssPages }
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
