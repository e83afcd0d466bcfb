/**
 * True when another process already listens on `port` (on any address). Binding is the only
 * reliable test; the listener is closed at once. Synchronous so that allocation can happen
 * inside one database transaction.
 */
export function portInUse(port: number): boolean {
  for (const hostname of ["0.0.0.0", "127.0.0.1"]) {
    try {
      const listener = Deno.listen({ hostname, port, transport: "tcp" });
      listener.close();
    } catch (error) {
      if (error instanceof Deno.errors.AddrInUse) return true;
      if (error instanceof Deno.errors.AddrNotAvailable) continue;
      if (error instanceof Deno.errors.PermissionDenied) return true;
      throw error;
    }
  }
  return false;
}

/**
 * Ports below this are left alone: well-known and registered services (5900, 7860, 8888 …), the
 * default instance pool (19001-19020), and the block the tests take their own ports from
 * (10000-19999, tests/helpers/free_ports.ts), so that the two never meet.
 */
export const CHILD_PORTS_FROM = 20_000;

/** The first port the kernel may hand out by itself (32768 when the file cannot be read). */
export function ephemeralLow(): number {
  try {
    const text = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range");
    const low = Number(text.split(/\s+/)[0]);
    return Number.isInteger(low) && low > CHILD_PORTS_FROM + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A port free now for another program to bind on loopback (an app's internal port, a desktop's
 * VNC and web ports), never one of `exclude`. It is taken from below the kernel's ephemeral
 * range: a port the kernel picked (`port: 0`) is free only until the program binds it, and in
 * between any outgoing connection (a download) or any port-0 listener on the host may get that
 * same port from the kernel. Below the range, only a program that names it can. `inUse` is the
 * probe (tests give one that names ports in use without binding them).
 */
export function portForChild(
  exclude: ReadonlySet<number> = new Set(),
  inUse: (port: number) => boolean = portInUse,
): number {
  const span = ephemeralLow() - CHILD_PORTS_FROM;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = CHILD_PORTS_FROM + Math.floor(Math.random() * span);
    if (!exclude.has(port) && !inUse(port)) return port;
  }
  throw new Error("no free port below the kernel's ephemeral range after 200 tries");
}
