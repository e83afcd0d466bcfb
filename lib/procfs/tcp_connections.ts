import { readText } from "./read_file.ts";

/** The kernel's socket tables of this network namespace (IPv4, IPv6). */
const TABLES = ["/proc/net/tcp", "/proc/net/tcp6"];
/** `st` of an established connection (include/net/tcp_states.h: TCP_ESTABLISHED = 1). */
const ESTABLISHED = "01";

/**
 * Adds to `counts` the established connections of one socket table whose local port is in
 * `ports` (sockets accepted by a server listening there). Listening, closing and other states
 * are not counted; lines that do not parse are skipped.
 */
export function countEstablishedIn(
  text: string,
  ports: ReadonlySet<number>,
  counts: Map<number, number>,
): void {
  for (const line of text.split("\n")) {
    // "  12: 0100007F:1F90 0100007F:C350 01 …": sl, local address:port, remote, state.
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3] !== ESTABLISHED) continue;
    const local = fields[1] ?? "";
    const port = parseInt(local.slice(local.lastIndexOf(":") + 1), 16);
    if (ports.has(port)) counts.set(port, (counts.get(port) ?? 0) + 1);
  }
}

/**
 * Established TCP connections per local port, for the given ports (each present, 0 when none):
 * what an app listening on that port is serving right now, WebSockets and downloads included.
 */
export function establishedConnections(ports: ReadonlySet<number>): Map<number, number> {
  const counts = new Map<number, number>([...ports].map((port) => [port, 0]));
  if (ports.size === 0) return counts;
  for (const table of TABLES) {
    const text = readText(table);
    if (text !== null) countEstablishedIn(text, ports, counts);
  }
  return counts;
}
