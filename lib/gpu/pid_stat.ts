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
