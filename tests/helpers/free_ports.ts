/**
 * Ports for programs a test starts (AiKore, nginx, apps), which bind them themselves. They come
 * from 10000 up to where AiKore takes its children's ports (`CHILD_PORTS_FROM`): below the
 * kernel's ephemeral range, so no outgoing connection and no port-0 listener of a parallel test
 * can take one between the check and the bind, and apart from the ports AiKore itself hands to
 * apps and desktops. Each block starts at a random place, is checked free on every address, and
 * is never handed out twice by one process.
 */
import { CHILD_PORTS_FROM } from "../../lib/ports/port_probe.ts";

const LOWEST = 10_000;
const HIGHEST = CHILD_PORTS_FROM;
const handedOut = new Set<number>();

function bindable(port: number): boolean {
  if (handedOut.has(port)) return false;
  try {
    Deno.listen({ hostname: "0.0.0.0", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** `size` consecutive ports that are free now, in the tests' block. */
export function freePortBlock(size: number): { start: number; end: number } {
  const span = HIGHEST - LOWEST - size;
  for (let attempt = 0; attempt < 200; attempt++) {
    const start = LOWEST + Math.floor(Math.random() * span);
    const ports = Array.from({ length: size }, (_, i) => start + i);
    if (ports.every(bindable)) {
      for (const port of ports) handedOut.add(port);
      return { start, end: start + size - 1 };
    }
  }
  throw new Error(`no ${size} free consecutive ports in ${LOWEST}-${HIGHEST - 1}`);
}

/** `count` free ports (not necessarily consecutive), in the tests' block. */
export function freePorts(count: number): number[] {
  return Array.from({ length: count }, () => freePortBlock(1).start);
}
