/** Helpers of the adoption program tests: holders in /proc, counter lines, a console client. */
import { AckCounter, encodeClientMessage } from "../../lib/shared/terminal_protocol.ts";
import type { Program } from "../helpers/program.ts";

/** Live holder processes whose `AIKORE_HOLDER` marker starts with `prefix`. */
export function holderProcesses(prefix: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (/\) [ZX] /.test(Deno.readTextFileSync(`/proc/${entry.name}/stat`))) continue;
      const env = Deno.readTextFileSync(`/proc/${entry.name}/environ`).split("\0");
      if (env.some((v) => v.startsWith(`AIKORE_HOLDER=${prefix}`))) pids.push(Number(entry.name));
    } catch {
      // it ended while we looked
    }
  }
  return pids;
}

/** The numbers of the counter's "count N" lines, in order. */
export function lineNumbers(text: string): number[] {
  return [...text.matchAll(/count (\d+)\r?\n/g)].map((m) => Number(m[1]));
}

/** A console WebSocket of an instance (read-only) that collects its text and acks like xterm. */
export function openConsole(program: Program, id: number) {
  return openTerminalSocket(program, `/api/instances/${id}/console`);
}

/**
 * A terminal-protocol WebSocket of `program` at `path` (a console or a terminal): collects the
 * text, acks like xterm, and types.
 */
export async function openTerminalSocket(program: Program, path: string) {
  const socket = new WebSocket(
    `${program.url.replace("http://", "ws://")}${path}`,
    { headers: { authorization: `Bearer ${program.token}` } } as unknown as string[],
  );
  socket.binaryType = "arraybuffer";
  let text = "";
  const decoder = new TextDecoder();
  const acks = new AckCounter();
  socket.onmessage = (event) => {
    if (typeof event.data === "string") return;
    const bytes = new Uint8Array(event.data);
    text += decoder.decode(bytes, { stream: true });
    const ack = acks.processed(bytes.length);
    if (ack) socket.send(encodeClientMessage(ack));
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`socket refused: ${path}`));
  });
  return {
    type: (data: string) => socket.send(encodeClientMessage({ type: "input", data })),
    /** Resolves with the first match of `pattern` in the text received so far. */
    async waitFor(pattern: RegExp, timeoutMs = 8000): Promise<RegExpMatchArray> {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const match = text.match(pattern);
        if (match) return match;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${pattern} on ${path}: ${JSON.stringify(text.slice(-300))}`);
    },
    close: () => socket.close(),
  };
}
