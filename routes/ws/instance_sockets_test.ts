/**
 * Terminals and consoles through the real server, WebSocket and PTY: the terminal behaves like
 * a terminal, survives the page going away, is capped, and ends when closed; the console shows
 * the instance's own output with replay.
 */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { type ServerHarness, startServerHarness } from "../../tests/helpers/server_harness.ts";
import { AckCounter, encodeClientMessage } from "../../lib/shared/terminal_protocol.ts";

/** A test client of the terminal protocol: collects output text, acks like a browser. */
class TermClient {
  readonly socket: WebSocket;
  text = "";
  controls: Array<Record<string, unknown>> = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;
  #decoder = new TextDecoder();
  #acks = new AckCounter();

  constructor(url: string, headers: Record<string, string>) {
    this.socket = new WebSocket(url, { headers } as unknown as string[]);
    this.socket.binaryType = "arraybuffer";
    this.opened = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = () => reject(new Error("socket refused"));
    });
    this.closed = new Promise((resolve) => this.socket.addEventListener("close", () => resolve()));
    this.socket.onmessage = (event) => {
      if (typeof event.data === "string") {
        this.controls.push(JSON.parse(event.data));
        return;
      }
      const bytes = new Uint8Array(event.data);
      this.text += this.#decoder.decode(bytes, { stream: true });
      const ack = this.#acks.processed(bytes.length);
      if (ack) this.send(ack);
    };
  }

  send(message: Parameters<typeof encodeClientMessage>[0]): void {
    this.socket.send(encodeClientMessage(message));
  }

  type(data: string): void {
    this.send({ type: "input", data });
  }

  async waitFor(pattern: RegExp, timeoutMs = 8000): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const match = pattern.exec(this.text);
      if (match) return match[0];
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${pattern} in ${JSON.stringify(this.text.slice(-500))}`);
  }
}

async function withInstance(h: ServerHarness, blueprint = "log_ready.sh") {
  const response = await h.fetch("/api/instances", {
    method: "POST",
    body: JSON.stringify({ name: "term", base_blueprint: blueprint, gpu_ids: "1" }),
  });
  assertEquals(response.status, 201);
  return await response.json() as { id: number; slug: string };
}

function socketUrl(h: ServerHarness, path: string): string {
  return `${h.url.replace("http://", "ws://")}${path}`;
}

Deno.test("a terminal is a real tty in the instance folder; resize, Ctrl-C, UTF-8 and exit code work", async () => {
  const h = await startServerHarness();
  try {
    const inst = await withInstance(h);
    const opened = await (await h.fetch(`/api/instances/${inst.id}/terminals`, { method: "POST" }))
      .json();
    const term = new TermClient(
      socketUrl(h, `/api/instances/${inst.id}/terminal?terminal=${opened.id}`),
      h.authHeaders(),
    );
    await term.opened;
    term.send({ type: "resize", cols: 100, rows: 30 });
    term.type("tty; stty size; pwd; echo gpu=$CUDA_VISIBLE_DEVICES\r");
    await term.waitFor(/\/dev\/pts\/\d+/);
    await term.waitFor(/30 100/);
    await term.waitFor(new RegExp(`${h.dataDir}/instances/term`));
    await term.waitFor(/gpu=1/);
    term.type("sleep 30\r");
    await new Promise((r) => setTimeout(r, 300));
    term.type("\x03");
    term.type("echo after-ctrl-c $?\r");
    await term.waitFor(/after-ctrl-c 130/);
    term.type("printf '\\xe2\\x82'; sleep 0.2; printf '\\xac\\n'\r");
    await term.waitFor(/€/);
    term.type("exit 7\r");
    await term.closed;
    const exit = term.controls.find((m) => m.type === "exit");
    assertEquals(exit?.code, 7);
    const left = await (await h.fetch(`/api/instances/${inst.id}/terminals`)).json();
    assertEquals(left.terminals, []);
  } finally {
    await h.close();
  }
});

Deno.test("closing the page keeps the shell; reattaching replays the scrollback; DELETE ends it", async () => {
  const h = await startServerHarness();
  try {
    const inst = await withInstance(h);
    const opened = await (await h.fetch(`/api/instances/${inst.id}/terminals`, { method: "POST" }))
      .json();
    const path = `/api/instances/${inst.id}/terminal?terminal=${opened.id}`;
    const first = new TermClient(socketUrl(h, path), h.authHeaders());
    await first.opened;
    first.type("echo remembered-$((6*7))\r");
    await first.waitFor(/remembered-42/);
    first.socket.close();
    await first.closed;
    await new Promise((r) => setTimeout(r, 200));
    const listed = await (await h.fetch(`/api/instances/${inst.id}/terminals`)).json();
    assertEquals(listed.terminals.map((t: { id: string }) => t.id), [opened.id]);

    const second = new TermClient(socketUrl(h, path), h.authHeaders());
    await second.opened;
    await second.waitFor(/remembered-42/);
    const shellPid = h.server.services.terminals.get(opened.id, inst.id)?.session.pid ?? 0;
    assert(shellPid > 0);
    assertEquals((await h.fetch(`/api/terminals/${opened.id}`, { method: "DELETE" })).status, 200);
    await second.closed;
    await new Promise((r) => setTimeout(r, 200));
    const state = await Deno.readTextFile(`/proc/${shellPid}/stat`).catch(() => "gone");
    assert(state === "gone" || /\) Z /.test(state), "the shell is gone");
    const gone = new TermClient(socketUrl(h, path), h.authHeaders());
    const refused = await gone.opened.then(() => false, () => true);
    assert(refused, "a closed terminal cannot be reattached");
  } finally {
    await h.close();
  }
});

Deno.test("T30: the terminal cap refuses clearly beyond the limit", async () => {
  const h = await startServerHarness({ AIKORE_TERMINAL_LIMIT: "3" });
  try {
    const inst = await withInstance(h);
    const statuses: number[] = [];
    let refusal: { error: { code: string; message: string } } | null = null;
    for (let i = 0; i < 5; i++) {
      const response = await h.fetch(`/api/instances/${inst.id}/terminals`, { method: "POST" });
      statuses.push(response.status);
      const body = await response.json();
      if (response.status === 429) refusal = body;
    }
    assertEquals(statuses, [201, 201, 201, 429, 429]);
    assertEquals(refusal?.error.code, "terminal_limit");
    assert(refusal?.error.message.includes("3"));
    const socket = new TermClient(
      socketUrl(h, `/api/instances/${inst.id}/terminal`),
      h.authHeaders(),
    );
    assert(await socket.opened.then(() => false, () => true), "a new socket is refused too");
    assertEquals(h.server.services.terminals.count, 3);
  } finally {
    await h.close();
  }
});

Deno.test("the console shows the instance's own output live and replays it on attach", async () => {
  const h = await startServerHarness();
  try {
    const inst = await withInstance(h);
    await h.fetch(`/api/instances/${inst.id}/start`, { method: "POST" });
    const live = new TermClient(socketUrl(h, `/api/instances/${inst.id}/console`), h.authHeaders());
    await live.opened;
    await live.waitFor(/READY on port \d+/);
    const hello = live.controls.find((m) => m.type === "hello");
    assertEquals(hello?.readOnly, true, "input is off unless asked for");
    live.type("typed\r");
    await new Promise((r) => setTimeout(r, 200));
    assert(live.controls.some((m) => m.type === "error"), "typing is refused with a message");
    const late = new TermClient(socketUrl(h, `/api/instances/${inst.id}/console`), h.authHeaders());
    await late.opened;
    await late.waitFor(/log_ready: warming up[\s\S]*READY/);
    live.socket.close();
    late.socket.close();
    await h.fetch(`/api/instances/${inst.id}/stop`, { method: "POST" });
    const after = new TermClient(
      socketUrl(h, `/api/instances/${inst.id}/console`),
      h.authHeaders(),
    );
    await after.opened;
    await after.waitFor(/READY on port/);
    await after.closed;
    assert(
      after.controls.some((m) => m.type === "exit"),
      "a stopped instance replays its log and ends",
    );
  } finally {
    await h.close();
  }
});
