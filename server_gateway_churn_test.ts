/**
 * Instance changes never touch nginx (real AiKore, real nginx, real apps): across 50
 * start/stop cycles of instance B (renamed in the first 20) nginx logs 0 reloads, while a
 * WebSocket through instance A's port keeps echoing, a 100 MB download through A, rate-limited
 * by the app, spans all 20 renamed cycles and completes with the checksum the app computed,
 * and the dashboard's event stream never reconnects.
 */
import { createHash } from "node:crypto";
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { startGatewayHarness } from "./tests/helpers/gateway_harness.ts";

const CYCLES = 50;
const RENAMED_CYCLES = 20;
const DOWNLOAD_BYTES = 100 * 1024 * 1024;
/** About 17 s for the whole download: the app sleeps between 64 KiB blocks. */
const RATE_KIB_PER_SEC = 6 * 1024;
/** Past this the client stops reading until the renamed cycles are over (never before). */
const HOLD_AT = DOWNLOAD_BYTES - 4 * 1024 * 1024;

/**
 * Reads the download through `url`, hashing as it goes (no 100 MB buffer); holds the last
 * megabytes back until `release` settles, so the download is in flight through every cycle
 * that precedes it however fast or slow this machine runs them.
 */
async function download(url: string, cookie: string, release: Promise<void>) {
  const response = await fetch(url, { headers: { cookie } });
  assertEquals(response.status, 200, "the download starts");
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no download body");
  const hash = createHash("sha256");
  let received = 0;
  let held = false;
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    hash.update(value);
    received += value.length;
    if (!held && received >= HOLD_AT) {
      held = true;
      await release;
    }
  }
  return { received, sum: hash.digest("hex") };
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
    const renamedCycles = Promise.withResolvers<void>();
    let downloadDone = false;
    const downloading = download(
      `http://127.0.0.1:${a.port}/download?bytes=${DOWNLOAD_BYTES}&kbps=${RATE_KIB_PER_SEC}`,
      cookie,
      renamedCycles.promise,
    ).finally(() => (downloadDone = true));
    // A failure surfaces where it is awaited; keep it from counting as unhandled meanwhile.
    downloading.catch(() => {});

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
      if (cycle === RENAMED_CYCLES - 1) {
        assert(!downloadDone, "the download was in flight through every renamed cycle");
        renamedCycles.resolve();
      }
    }

    const received = await downloading;
    assertEquals(received.received, DOWNLOAD_BYTES, "the 100 MB download through A completed");
    const appSum = await fetch(`http://127.0.0.1:${a.port}/download-sum?bytes=${DOWNLOAD_BYTES}`, {
      headers: { cookie },
    });
    assertEquals(received.sum, await appSum.text(), "with the checksum the app computed");
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
