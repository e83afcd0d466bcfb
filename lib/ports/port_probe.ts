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

/** A free loopback port chosen by the kernel (for an app's internal port). */
export function ephemeralPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
