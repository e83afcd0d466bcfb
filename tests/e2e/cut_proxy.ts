/**
 * A TCP proxy between Chromium and AiKore that a test can cut: `cut()` ends every open
 * connection (the event stream breaks as on a network blip), and while `blocked` new
 * connections are closed at once (AiKore looks unreachable). Real sockets, no stubs.
 */

export interface CutProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  blocked: boolean;
  /** Failures of the proxy itself (a test asserts there are none). */
  errors: string[];
  cut(): void;
  close(): Promise<void>;
}

async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  try {
    await from.readable.pipeTo(to.writable);
  } catch {
    // a cut or a peer closing ends the copy
  }
}

/** Listens on a free port and forwards to `target` (host:port). */
export function startCutProxy(target: { hostname: string; port: number }): CutProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const proxy: CutProxy = {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    blocked: false,
    errors: [],
    cut() {
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      open.clear();
    },
    async close() {
      listener.close();
      proxy.cut();
      await accepting;
    },
  };
  const serve = async (client: Deno.Conn) => {
    if (proxy.blocked) return client.close();
    let server: Deno.Conn;
    try {
      server = await Deno.connect(target);
    } catch {
      return client.close();
    }
    open.add(client);
    open.add(server);
    await Promise.all([pipe(client, server), pipe(server, client)]);
    open.delete(client);
    open.delete(server);
  };
  const accepting = (async () => {
    try {
      for await (const client of listener) {
        serve(client).catch((error) => proxy.errors.push(`cut proxy: ${error}`));
      }
    } catch {
      // listener closed
    }
  })();
  return proxy;
}
