/**
 * Instance changes never touch nginx (real AiKore, real nginx, real apps): across 50
 * start/stop cycles of instance B (renamed in 20 of them) nginx logs 0 reloads, while a
 * WebSocket through instance A's port keeps echoing, a rate-limited download through A
 * completes with the right checksum, and the dashboard's event stream never reconnects.
 */
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { downloadByte } from "./tests/fixtures/gateway/plane_app.ts";
import { startGatewayHarness } from "./tests/helpers/gateway_harness.ts";

const CYCLES = 50;
const RENAMED_CYCLES = 20;
const DOWNLOAD_BYTES = 24 * 1024 * 1024;

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function expectedDownload(): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(DOWNLOAD_BYTES);
  for (let i = 0; i < out.length; i++) out[i] = downloadByte(i);
  return out;
}

/** A WebSocket client that answers each `ping(n)` with the echo, or throws when closed. */
async function openEcho(url: string, cookie: string) {
  // Deno's WebSocket sends headers given in the options object.
  const socket = new WebSocket(url, { headers: { cookie } } as unknown as string[]);
  const inbox: string[] = [];
  let closed = false;
  let waiter: (() => void) | null = null;
  socket.onmessage = (event) => {
    inbox.push(String(event.data));
    waiter?.();
  };
  socket.onclose = () => {
    closed = true;
    waiter?.();
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error("WebSocket did not open"));
  });
  return {
    async ping(n: number): Promise<string> {
      socket.send(`m${n}`);
      while (inbox.length === 0) {
        if (closed) throw new Error(`WebSocket closed before echo ${n}`);
        await new Promise<void>((resolve) => (waiter = resolve));
      }
      return inbox.shift() ?? "";
    },
    get closed() {
      return closed;
    },
    close: () => socket.close(),
  };
}

Deno.test(`${CYCLES} start/stop cycles of one instance: 0 nginx reloads, another instance's WebSocket, download and the event stream carry on`, async () => {
  const h = await startGatewayHarness();
  const events = new AbortController();
  try {
    const a = await h.create("alpha");
    const b = await h.create("bravo");
    await h.start(a.id);
    await h.waitStatus(a.id, "started");
    const cookie = h.authHeaders().cookie ?? "";
    const logBefore = await h.nginxLog();

    const stream = await fetch(`${h.url}/api/events`, {
      headers: { cookie, accept: "text/event-stream" },
      signal: events.signal,
    });
    assertEquals(stream.status, 200);
    let streamEnded = false;
    let streamBytes = 0;
    const streamDone = (async () => {
      for await (const chunk of stream.body ?? new ReadableStream()) streamBytes += chunk.length;
      streamEnded = true;
    })().catch(() => {});

    const ws = await openEcho(`ws://127.0.0.1:${a.port}/ws`, cookie);
    const download = fetch(
      `http://127.0.0.1:${a.port}/download?bytes=${DOWNLOAD_BYTES}&kbps=1536`,
      {
        headers: { cookie },
      },
    ).then(async (response) => new Uint8Array(await response.arrayBuffer()));

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await h.start(b.id);
      await h.waitStatus(b.id, "started");
      const viaB = await fetch(`http://127.0.0.1:${b.port}/`, { headers: { cookie } });
      assertEquals(viaB.status, 200, `cycle ${cycle}: B answers on its port`);
      await viaB.body?.cancel();
      await h.stop(b.id);
      if (cycle < RENAMED_CYCLES) {
        const renamed = await h.fetch(`/api/instances/${b.id}`, {
          method: "PUT",
          body: JSON.stringify({ name: `bravo-${cycle}` }),
        });
        assertEquals(renamed.status, 200, `cycle ${cycle}: rename`);
        await renamed.body?.cancel();
      }
      assertEquals(await ws.ping(cycle), `echo:m${cycle}`, `cycle ${cycle}: A's WebSocket echoes`);
    }

    const body = await download;
    assertEquals(body.length, DOWNLOAD_BYTES, "the download through A completed");
    assertEquals(await sha256(body), await sha256(expectedDownload()), "with the right checksum");
    assert(!ws.closed, "A's WebSocket stayed open");
    assert(!streamEnded && streamBytes > 0, "the event stream stayed open and carried events");
    const log = (await h.nginxLog()).slice(logBefore.length);
    const reloads = log.split("\n").filter((line) => /reconfiguring|SIGHUP/.test(line));
    // deno-lint-ignore no-console
    console.log(`nginx reloads during ${CYCLES} cycles: ${reloads.length}`);
    assertEquals(reloads, [], "nginx was never reloaded");
    ws.close();
    events.abort();
    await streamDone;
  } finally {
    events.abort();
    await h.close();
  }
});
