/** Helpers of the adoption program tests: holders in /proc, counter lines, a console client. */
import { AckCounter, encodeClientMessage } from "../../lib/shared/terminal_protocol.ts";
import type { Program } from "../helpers/program.ts";

/** A deterministic generator in [0, 1) (mulberry32), so a failing round can be replayed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

/** A read-only console WebSocket of an instance that collects its text and acks like xterm. */
export async function openConsole(program: Program, id: number) {
  const socket = new WebSocket(
    `${program.url.replace("http://", "ws://")}/api/instances/${id}/console`,
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
    socket.onerror = () => reject(new Error("console socket refused"));
  });
  return {
    async waitFor(pattern: RegExp, timeoutMs = 8000): Promise<void> {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (pattern.test(text)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${pattern} on the console: ${JSON.stringify(text.slice(-300))}`);
    },
    close: () => socket.close(),
  };
}
