/** An inclusive range of public ports. */
export interface PortRange {
  start: number;
  end: number;
}

/** Tells whether some process on this host already listens on `port`. */
export type PortProbe = (port: number) => boolean;

/** Ports of the pool not held by an instance, in ascending order (pure). */
export function freePoolPorts(range: PortRange, held: ReadonlySet<number>): number[] {
  const free: number[] = [];
  for (let port = range.start; port <= range.end; port++) if (!held.has(port)) free.push(port);
  return free;
}

/** Why `port` cannot be requested from the pool, or null. */
export function poolPortProblem(range: PortRange, port: number): string | null {
  if (port < range.start || port > range.end) {
    return `port ${port} is outside the instance port pool ${range.start}-${range.end}`;
  }
  return null;
}

/** The lowest pool port that no instance holds and no other process uses, or null. */
export function pickFreePort(
  range: PortRange,
  held: ReadonlySet<number>,
  inUse: PortProbe,
): number | null {
  for (const port of freePoolPorts(range, held)) if (!inUse(port)) return port;
  return null;
}
