/**
 * Issue 16 §3: a console socket with input, a terminal and an event stream opened by a session
 * (or an API token) close when that credential ends: logout, password change, revocation,
 * expiry. Real server, real sockets, real PTYs.
 */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import {
  login,
  readSse,
  type ServerHarness,
  startServerHarness,
  TEST_PASSWORD,
} from "../../tests/helpers/server_harness.ts";
import { encodeClientMessage } from "../../lib/shared/terminal_protocol.ts";

/** The bound: every connection of the ended credential is gone within a second. */
const CLOSE_WITHIN_MS = 1000;

interface Conn {
  name: string;
  closed: Promise<number>;
}

function openSocket(h: ServerHarness, path: string, headers: Record<string, string>) {
  const socket = new WebSocket(`${h.url.replace("http://", "ws://")}${path}`, {
    headers,
  } as unknown as string[]);
  socket.binaryType = "arraybuffer";
  let text = "";
  socket.onmessage = (event) => {
    if (typeof event.data !== "string") text += new TextDecoder().decode(event.data);
  };
  const opened = new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`${path} refused`));
  });
  const closed = new Promise<number>((resolve) =>
    socket.addEventListener("close", (event) => resolve(event.code))
  );
  return {
    socket,
    opened,
    closed,
    output: () => text,
    type: (data: string) => socket.send(encodeClientMessage({ type: "input", data })),
  };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A running instance whose process echoes what is typed into it. */
async function replInstance(h: ServerHarness): Promise<number> {
  const made = await (await h.fetch("/api/instances", {
    method: "POST",
    body: JSON.stringify({ name: "repl", base_blueprint: "log_ready.sh" }),
  })).json();
  const script =
    `#!/bin/bash\necho "READY on port 1"\nwhile read -r line; do echo "GOT-$line"; done\n`;
  const saved = await h.fetch(`/api/instances/${made.id}/file?file_type=script`, {
    method: "PUT",
    body: JSON.stringify({ content: script }),
  });
  assertEquals(saved.status, 200);
  assertEquals((await h.fetch(`/api/instances/${made.id}/start`, { method: "POST" })).status, 200);
  return made.id;
}

/** Opens console-with-input, terminal and SSE with `headers`; proves the console executes. */
async function openAll(h: ServerHarness, id: number, headers: Record<string, string>) {
  const consoleSocket = openSocket(h, `/api/instances/${id}/console?input=1`, headers);
  const terminal = openSocket(h, `/api/instances/${id}/terminal`, headers);
  await Promise.all([consoleSocket.opened, terminal.opened]);
  consoleSocket.type("BEFORE\r");
  await waitFor(() => consoleSocket.output().includes("GOT-BEFORE"), "console input to run");
  const sse = await fetch(`${h.url}/api/events`, { headers });
  assertEquals(sse.status, 200);
  const events = readSse(sse);
  assertEquals((await events.next()).value?.event, "snapshot");
  const sseEnded = (async () => {
    for await (const _ of events) { /* drain until the server ends the stream */ }
    return 0;
  })();
  const conns: Conn[] = [
    { name: "console with input", closed: consoleSocket.closed },
    { name: "terminal", closed: terminal.closed },
    { name: "event stream", closed: sseEnded },
  ];
  return { conns, consoleSocket };
}

async function assertAllClosed(conns: Conn[], label: string): Promise<void> {
  const started = performance.now();
  const timeout = new Promise<"open">((r) => setTimeout(() => r("open"), CLOSE_WITHIN_MS));
  for (const conn of conns) {
    const outcome = await Promise.race([conn.closed, timeout]);
    assert(outcome !== "open", `${label}: ${conn.name} still open after ${CLOSE_WITHIN_MS} ms`);
    if (conn.name !== "event stream") assertEquals(outcome, 4001, `${label}: ${conn.name} code`);
  }
  assert(performance.now() - started < CLOSE_WITHIN_MS + 200, label);
}

function sessionHeaders(h: ServerHarness, session: { cookie: string; csrfToken: string }) {
  return { cookie: session.cookie, "x-csrf-token": session.csrfToken, origin: h.url };
}

Deno.test("logout closes that session's console, terminal and event stream; others stay", async () => {
  const h = await startServerHarness();
  try {
    const id = await replInstance(h);
    const other = await openAll(h, id, h.authHeaders());
    const victim = sessionHeaders(h, await login(h.url, TEST_PASSWORD));
    const { conns } = await openAll(h, id, victim);
    const out = await fetch(`${h.url}/api/auth/logout`, { method: "POST", headers: victim });
    assertEquals(out.status, 204);
    await assertAllClosed(conns, "logout");
    other.consoleSocket.type("STILL\r");
    await waitFor(() => other.consoleSocket.output().includes("GOT-STILL"), "other session works");
    const audit = await (await h.fetch("/api/audit?action=terminal.open")).json();
    assertEquals(audit.entries.length, 2, "terminals opened through the WebSocket are audited");
    assertEquals(audit.entries[0].detail.via, "websocket");
    const input = await (await h.fetch("/api/audit?action=console.input")).json();
    assertEquals(input.entries.length, 2, "console input enabled is audited");
  } finally {
    await h.close();
  }
});

Deno.test("a password change closes every other session's sockets and, when asked, tokens'", async () => {
  const h = await startServerHarness();
  try {
    const id = await replInstance(h);
    const victim = sessionHeaders(h, await login(h.url, TEST_PASSWORD));
    const sessionConns = await openAll(h, id, victim);
    const token = (await (await h.fetch("/api/auth/tokens", {
      method: "POST",
      body: JSON.stringify({ name: "ci" }),
    })).json()).token.token as string;
    const tokenConns = await openAll(h, id, { authorization: `Bearer ${token}` });
    const changed = await h.fetch("/api/auth/password", {
      method: "PUT",
      body: JSON.stringify({
        current: TEST_PASSWORD,
        new: "another long passphrase 42",
        revoke_tokens: true,
      }),
    });
    assertEquals(changed.status, 200);
    await assertAllClosed(sessionConns.conns, "password change (session)");
    await assertAllClosed(tokenConns.conns, "password change (token revoked)");
    const withToken = await fetch(`${h.url}/api/instances`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assertEquals(withToken.status, 401, "revoke_tokens revoked the token");
    await withToken.body?.cancel();
  } finally {
    await h.close();
  }
});

Deno.test("revoking a token closes its sockets; an expired session's close at the next sweep", async () => {
  const h = await startServerHarness();
  try {
    const id = await replInstance(h);
    const created = await (await h.fetch("/api/auth/tokens", {
      method: "POST",
      body: JSON.stringify({ name: "ci" }),
    })).json();
    const tokenConns = await openAll(h, id, { authorization: `Bearer ${created.token.token}` });
    const revoked = await h.fetch(`/api/auth/tokens/${created.token.id}`, { method: "DELETE" });
    assertEquals(revoked.status, 204);
    await assertAllClosed(tokenConns.conns, "revocation");

    const victim = sessionHeaders(h, await login(h.url, TEST_PASSWORD));
    const sessionConns = await openAll(h, id, victim);
    // Expiry as the store sees it (the same as a reset from the command line in another process).
    h.server.services.db.exec("UPDATE sessions SET expires_at = 0 WHERE client IS NOT NULL");
    await assertAllClosed(sessionConns.conns, "expiry");
  } finally {
    await h.close();
  }
});
