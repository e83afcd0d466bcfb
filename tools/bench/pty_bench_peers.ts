/**
 * Other web terminals run side by side with AiKore's bridge in the throughput benchmark, each
 * serving `cat path` over a loopback WebSocket to the same benchmark client:
 *   - terminado 0.17 (Python tornado; Debian's python3-terminado);
 *   - wetty 3.2 (Node, socket.io, node-pty): `npm install --prefix DIR wetty@3.2.0`, DIR from
 *     AIKORE_BENCH_WETTY_DIR (default /tmp/aikore-bench-peers).
 */
import type { ClientRequest } from "./pty_bench_client.ts";
import { catCommand, catShellCommand } from "./pty_bench_support.ts";

/** A peer serving one `cat` per connection. */
export interface PeerServer {
  request: ClientRequest;
  close(): Promise<void>;
}

/** A runnable peer: its label and how to start it for a payload. */
export interface Peer {
  label: string;
  start(path: string): Promise<PeerServer>;
}

const PYTHON = "/usr/bin/python3";
const WETTY_DIR = Deno.env.get("AIKORE_BENCH_WETTY_DIR") ?? "/tmp/aikore-bench-peers";
const WETTY_MAIN = `${WETTY_DIR}/node_modules/wetty/build/main.js`;

const TERMINADO_APP = `
import sys, tornado.ioloop, tornado.web, tornado.netutil, tornado.httpserver
from terminado import TermSocket, SingleTermManager
manager = SingleTermManager(shell_command=sys.argv[1:])
app = tornado.web.Application([(r"/websocket", TermSocket, {"term_manager": manager})])
sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
server = tornado.httpserver.HTTPServer(app)
server.add_sockets(sockets)
print(sockets[0].getsockname()[1], flush=True)
tornado.ioloop.IOLoop.current().start()
`;

async function succeeds(file: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(file, { args, stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

function stopper(child: Deno.ChildProcess) {
  return async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // it already exited
    }
    await child.status;
  };
}

const terminado: Peer = {
  label: "terminado 0.17 (py)",
  async start(path) {
    const child = new Deno.Command(PYTHON, {
      args: ["-c", TERMINADO_APP, ...catCommand(path)],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    // The port is the first line; a read may return it in pieces.
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("terminado exited before it printed its port");
      line += value;
    }
    // Keep draining: with its stdout closed, tornado dies on its next log line.
    const drain = async () => {
      while (!(await reader.read()).done);
    };
    drain().catch(() => {}); // ends with the process
    const port = Number(line.trim());
    const url = `ws://127.0.0.1:${port}/websocket`;
    return { request: { url, protocol: "terminado" }, close: stopper(child) };
  },
};

/** A port free right now (wetty takes a fixed --port; a benchmark may race, a test must not). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(port: number, child: Deno.ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await stopper(child)();
  throw new Error(`wetty did not listen on port ${port} within 10 s`);
}

const wetty: Peer = {
  label: "wetty 3.2 (node)",
  async start(path) {
    const port = freePort();
    const child = new Deno.Command("node", {
      // wetty drops what is still buffered once the command exits, so the app lingers and the
      // client stops at the byte count; the kill of wetty hangs the pty up.
      args: [
        WETTY_MAIN,
        ...["--host", "127.0.0.1", "--port", String(port)],
        ...["--command", `sh -c "${catShellCommand(path)}; exec sleep 120"`],
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForPort(port, child);
    const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
    return { request: { url, protocol: "wetty" }, close: stopper(child) };
  },
};

/** The peers that run here, and a line for each one that does not. */
export async function availablePeers(): Promise<{ peers: Peer[]; skipped: string[] }> {
  const peers: Peer[] = [];
  const skipped: string[] = [];
  if (await succeeds(PYTHON, ["-c", "import terminado"])) peers.push(terminado);
  else skipped.push(`terminado: not importable by ${PYTHON} (apt-get install python3-terminado)`);
  if (await succeeds("node", ["-e", `require("fs").accessSync(${JSON.stringify(WETTY_MAIN)})`])) {
    peers.push(wetty);
  } else {
    skipped.push(`wetty: ${WETTY_MAIN} missing (npm install --prefix ${WETTY_DIR} wetty@3.2.0)`);
  }
  return { peers, skipped };
}
