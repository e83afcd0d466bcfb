/**
 * Ports for programs a test starts (AiKore, nginx, apps), which bind them themselves. They come
 * from below the kernel's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`), so no
 * outgoing connection and no port-0 listener of a parallel test can take one between the check
 * and the bind. Each block starts at a random place, is checked free on every address, and is
 * never handed out twice by one process.
 */
const LOWEST = 10_000;
const handedOut = new Set<number>();

/** The first port the kernel may choose by itself (32768 when the file cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(
      Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > LOWEST ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): boolean {
  if (handedOut.has(port)) return false;
  try {
    Deno.listen({ hostname: "0.0.0.0", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** `size` consecutive ports that are free now, outside the kernel's ephemeral range. */
export function freePortBlock(size: number): { start: number; end: number } {
  const span = ephemeralLow() - LOWEST - size;
  for (let attempt = 0; attempt < 200; attempt++) {
    const start = LOWEST + Math.floor(Math.random() * span);
    const ports = Array.from({ length: size }, (_, i) => start + i);
    if (ports.every(bindable)) {
      for (const port of ports) handedOut.add(port);
      return { start, end: start + size - 1 };
    }
  }
  throw new Error(`no ${size} free consecutive ports below the ephemeral range`);
}

/** `count` free ports (not necessarily consecutive), outside the kernel's ephemeral range. */
export function freePorts(count: number): number[] {
  return Array.from({ length: count }, () => freePortBlock(1).start);
}
