/**
 * A port free on 127.0.0.1 right now, chosen by the kernel (bind to port 0, read it back,
 * close), never one of `exclude` (ports other desktops have reserved but may not bind yet).
 */
export function freeLoopbackPort(exclude: ReadonlySet<number>): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    if (!exclude.has(port)) return port;
  }
  throw new Error("no free loopback port outside the reserved ones after 50 tries");
}
