/**
 * Which of `ports` cannot be bound on `host` right now, with the reason (another program
 * holds it, no permission, address not on this machine). NGINX would retry such a bind for
 * ~2.5 s and then refuse the whole reload, so these are found first and left out. Ports
 * NGINX itself already holds must not be passed.
 */
export function unbindablePorts(host: string, ports: number[]): Map<number, string> {
  const hostname = host.startsWith("[") ? host.slice(1, -1) : host;
  const problems = new Map<number, string>();
  for (const port of ports) {
    try {
      Deno.listen({ hostname, port }).close();
    } catch (error) {
      const reason = error instanceof Deno.errors.AddrInUse
        ? "is in use by another program"
        : `cannot be opened (${error instanceof Error ? error.message : String(error)})`;
      problems.set(port, `port ${port} on ${host} ${reason}`);
    }
  }
  return problems;
}
