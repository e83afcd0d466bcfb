import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { createAuthTestApp } from "../../../tests/helpers/auth_app.ts";

type Outcome = { opened: boolean; message: string | null };

/** Opens a real WebSocket with the given headers; resolves when it opens (and greets) or fails. */
function tryOpen(url: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    // Deno's WebSocket accepts custom handshake headers (a browser would set Origin itself).
    const ws = new WebSocket(url, { headers } as unknown as string[]);
    let opened = false;
    ws.onopen = () => (opened = true);
    ws.onmessage = (event) => {
      resolve({ opened, message: String(event.data) });
      ws.close();
    };
    ws.onerror = () => resolve({ opened, message: null });
    ws.onclose = () => resolve({ opened, message: null });
  });
}

Deno.test("WebSocket hijack: foreign Origin, instance origin or no cookie never upgrades or spawns", async () => {
  const t = await createAuthTestApp();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req, info) => t.app.fetch(req, info),
  );
  try {
    const port = server.addr.port;
    const url = `ws://127.0.0.1:${port}/api/things/1/socket`;
    const dashboard = `http://127.0.0.1:${port}`;
    const { cookie } = await t.login();
    const attempts: Array<[string, Record<string, string>]> = [
      ["foreign origin + cookie", { Origin: "http://evil.example", Cookie: cookie }],
      ["instance origin + cookie", { Origin: `http://127.0.0.1:${port + 1}`, Cookie: cookie }],
      ["look-alike origin + cookie", { Origin: `${dashboard}.evil.com`, Cookie: cookie }],
      ["null origin + cookie", { Origin: "null", Cookie: cookie }],
      ["no origin + cookie", { Cookie: cookie }],
      ["right origin, no cookie", { Origin: dashboard }],
      ["right origin, stale cookie", {
        Origin: dashboard,
        Cookie: "aikore_session=" + "A".repeat(43),
      }],
    ];
    const rounds = 5;
    for (let i = 0; i < rounds; i++) {
      for (const [name, headers] of attempts) {
        const outcome = await tryOpen(url, headers);
        assertEquals(outcome, { opened: false, message: null }, name);
      }
    }
    assertEquals(t.spawns.count, 0, "a refused upgrade reached the handler");
    const rejected = t.audit.list({ limit: 500, action: "ws_rejected" });
    assertEquals(
      rejected.reduce((sum, row) => sum + Number(row.detail?.count ?? 1), 0),
      attempts.length * rounds,
      "every attempt is counted (one row per address, window and reason)",
    );
    assert(rejected.every((row) => row.client === "127.0.0.1"));
    assert(!JSON.stringify(rejected).includes(cookie.split("=")[1] ?? "??"), "cookie in audit");

    const good = await tryOpen(url, { Origin: dashboard, Cookie: cookie });
    assertEquals(good, { opened: true, message: "hello" });
    assertEquals(t.spawns.count, 1);
    const token = t.auth.createToken("cli", { client: "test" }).token;
    const cli = await tryOpen(url, { Authorization: `Bearer ${token}` });
    assertEquals(cli.message, "hello", "a token client without Origin (the CLI) may connect");
    const tokenFromPage = await tryOpen(url, {
      Authorization: `Bearer ${token}`,
      Origin: "http://evil.example",
    });
    assertEquals(tokenFromPage.opened, false, "a foreign Origin is refused even with a token");
  } finally {
    await server.shutdown();
    await t.close();
  }
});
