import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { startHarness, waitForStatus } from "../../tests/helpers/harness.ts";

/** The longest wait the API allows; every wait below ends long before it or the test fails. */
const WAIT_S = 30;

interface LogChunk {
  content: string;
  size: number;
  reset: boolean;
}

Deno.test("GET …/logs?wait= answers when output is logged or the status changes, not by polling", async () => {
  const h = await startHarness();
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "talker",
      base_blueprint: "say_fifo.sh",
    });
    assertEquals(created.status, 201, JSON.stringify(created.body));
    const { id, slug } = created.body as { id: number; slug: string };
    assertEquals((await h.json("POST", `/api/instances/${id}/start`)).status, 200);
    await waitForStatus(h, id, "started");
    const first = await h.json("GET", `/api/instances/${id}/logs?offset=0`);
    assertMatch(first.body.content, /say: ready/);
    const fifo = `${h.services.paths.instanceDir(slug)}/say`;
    const logsWaited = () => h.services.logs.watchedFolders;

    // Nothing new: the request waits; a line said to the app ends it with that line.
    const started = performance.now();
    const waiting = h.json(
      "GET",
      `/api/instances/${id}/logs?offset=${first.body.size}&wait=${WAIT_S}`,
    );
    await waitUntil(() => logsWaited() === 1);
    await Deno.writeTextFile(fifo, "hello\n");
    const said = await waiting;
    assertEquals(said.status, 200);
    assertMatch((said.body as LogChunk).content, /said: hello/);
    assert(performance.now() - started < (WAIT_S * 1000) / 2, "the log write ended the wait");
    assertEquals(logsWaited(), 0, "the watch goes with its last waiter");

    // Another line, read until it is logged (the holder may gather its log writes).
    await Deno.writeTextFile(fifo, "again\n");
    const offset = (said.body as LogChunk).size;
    let again = await h.json("GET", `/api/instances/${id}/logs?offset=${offset}&wait=${WAIT_S}`);
    while (!(again.body as LogChunk).content.includes("said: again")) {
      again = await h.json("GET", `/api/instances/${id}/logs?offset=${offset}&wait=${WAIT_S}`);
    }

    // A client that gives up releases the watch.
    const abort = new AbortController();
    const dropped = h.app.request(
      `/api/instances/${id}/logs?offset=${(again.body as LogChunk).size}&wait=${WAIT_S}`,
      { headers: authHeaders(h), signal: abort.signal },
    );
    await waitUntil(() => logsWaited() === 1);
    abort.abort();
    await Promise.resolve(dropped).then((response) => response.body?.cancel(), () => {});
    await waitUntil(() => logsWaited() === 0);

    // A stop ends a wait at once: the follower learns of it without waiting out the time.
    const end = (again.body as LogChunk).size;
    const stopWatched = h.json("GET", `/api/instances/${id}/logs?offset=${end}&wait=${WAIT_S}`);
    await waitUntil(() => logsWaited() === 1);
    const stopAt = performance.now();
    assertEquals((await h.json("POST", `/api/instances/${id}/stop`)).status, 200);
    const afterStop = await stopWatched;
    assertEquals(afterStop.status, 200);
    assert(performance.now() - stopAt < (WAIT_S * 1000) / 2, "the status change ended the wait");
    assertEquals(logsWaited(), 0);
  } finally {
    await h.close();
  }
});

Deno.test("GET …/logs refuses a wait out of range with the field and reason, and waits for nothing", async () => {
  const h = await startHarness();
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "quiet",
      base_blueprint: "say_fifo.sh",
    });
    const { id } = created.body as { id: number };
    for (const wait of ["31", "-1", "abc", "1.5", "100"]) {
      const refused = await h.json("GET", `/api/instances/${id}/logs?offset=0&wait=${wait}`);
      assertEquals(refused.status, 422, wait);
      assertEquals(refused.body.error.details[0].field, "wait", wait);
      assertMatch(refused.body.error.details[0].reason, /from 0 to 30/);
    }
    // A never-started instance has no logs folder to watch: answered at once, empty.
    const none = await h.json("GET", `/api/instances/${id}/logs?offset=0&wait=${WAIT_S}`);
    assertEquals(none.status, 200);
    assertEquals(none.body, { content: "", size: 0, reset: false });
    assertEquals(h.services.logs.watchedFolders, 0);
  } finally {
    await h.close();
  }
});

function authHeaders(h: Awaited<ReturnType<typeof startHarness>>): Record<string, string> {
  const token = h.services.auth.createToken("log-wait-test", { client: "127.0.0.1" }).token;
  return { host: "127.0.0.1:9000", authorization: `Bearer ${token}` };
}

/** Waits for a state the server reaches on its own (a watch taken or released), bounded. */
async function waitUntil(ready: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error("the state was not reached within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("logs download as text: colours gone, a redrawn line at its last state; runs too; bad flags refused", async () => {
  const h = await startHarness();
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "painter",
      base_blueprint: "say_fifo.sh",
    });
    const { id, slug } = created.body as { id: number; slug: string };
    assertEquals((await h.json("POST", `/api/instances/${id}/start`)).status, 200);
    await waitForStatus(h, id, "started");
    const ready = await h.json("GET", `/api/instances/${id}/logs?offset=0`);
    const fifo = `${h.services.paths.instanceDir(slug)}/say`;
    await Deno.writeTextFile(fifo, "\x1b[31mred\x1b[0m 10%\r\x1b[Kdone \x1b]0;title\x07ok\n");
    let offset = (ready.body as LogChunk).size;
    let logged = "";
    while (!logged.includes("ok")) {
      const chunk =
        (await h.json("GET", `/api/instances/${id}/logs?offset=${offset}&wait=${WAIT_S}`))
          .body as LogChunk;
      logged += chunk.content;
      offset = chunk.size;
    }
    assert(logged.includes("\x1b[31m"), "the log keeps what the app wrote");

    const raw = await h.request("GET", `/api/instances/${id}/logs/download`);
    assertMatch(raw.headers.get("content-disposition") ?? "", /filename="painter\.log"/);
    assert((await raw.text()).includes("\x1b[31mred"));
    const text = await h.request("GET", `/api/instances/${id}/logs/download?plain=1`);
    assertEquals(text.status, 200);
    assertMatch(text.headers.get("content-disposition") ?? "", /filename="painter\.txt"/);
    const lines = (await text.text()).split("\n");
    assert(lines.some((line) => /^say: ready in /.test(line)), lines.join("|"));
    assert(lines.includes("done ok"), `the redrawn line at its last state: ${lines.join("|")}`);
    assert(!lines.join("\n").includes("\x1b"), "no escape sequence is left");

    assertEquals((await h.json("POST", `/api/instances/${id}/stop`)).status, 200);
    const run = await h.request("GET", `/api/instances/${id}/runs/0/log?plain=1&download=1`);
    assertEquals(run.status, 200);
    assertMatch(run.headers.get("content-disposition") ?? "", /filename="painter-run-0\.txt"/);
    assert((await run.text()).split("\n").includes("done ok"));

    for (const path of [`logs/download?plain=2`, `runs/0/log?plain=yes`, `runs/0/log?download=x`]) {
      const refused = await h.json("GET", `/api/instances/${id}/${path}`);
      assertEquals(refused.status, 422, path);
      assertMatch(refused.body.error.details[0].reason, /must be 0 or 1/, path);
    }
  } finally {
    await h.close();
  }
});
