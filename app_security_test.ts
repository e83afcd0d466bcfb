/**
 * The security suites (T01, T05, T09) run on the full AiKore app with its real route
 * inventory, and T06 (WebSocket hijack) on the real console and terminal sockets.
 */
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { listDir, startHarness } from "./tests/helpers/harness.ts";
import {
  assertCsrfMatrix,
  assertNoUnauthenticatedSurface,
  assertSecurityHeaders,
  type BrowserLogin,
  routeInventory,
} from "./tests/helpers/security_suites.ts";
import { startServerHarness } from "./tests/helpers/server_harness.ts";

const PASSWORD = "correct horse battery staple";
const LOOPBACK_PEER = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 } };

Deno.test("T01, T05, T09 on the full app: no unauthenticated surface, CSRF matrix, headers", async () => {
  const h = await startHarness({ env: { AIKORE_PASSWORD: PASSWORD } });
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "victim",
      base_blueprint: "http_app.sh",
    });
    assertEquals(created.status, 201);
    const routes = routeInventory(h.app);
    assert(routes.length >= 40, `only ${routes.length} routes`);
    const unauthenticated = await assertNoUnauthenticatedSurface(h.app, routes, {
      env: LOOPBACK_PEER,
    });

    const login = async (): Promise<BrowserLogin> => {
      const response = await h.app.request("/api/auth/login", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: "http://localhost",
          host: "localhost",
        },
        body: JSON.stringify({ password: PASSWORD }),
      }, LOOPBACK_PEER);
      assertEquals(response.status, 200);
      const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      return { cookie, csrfToken: (await response.json()).csrfToken };
    };
    const snapshot = async () => ({
      rows: h.services.db.prepare("SELECT * FROM instances ORDER BY id").all(),
      settings: h.services.db.prepare("SELECT key FROM settings ORDER BY key").all(),
      dirs: await listDir(`${h.dataDir}/instances`),
      trash: await listDir(`${h.dataDir}/trash`),
      running: h.services.lifecycle.runningPids().length,
      terminals: h.services.terminals.count,
    });
    const csrf = await assertCsrfMatrix(h.app, routes, login, { env: LOOPBACK_PEER, snapshot });
    const headers = await assertSecurityHeaders(h.app, routes, await login(), {
      env: LOOPBACK_PEER,
    });
    assert(
      unauthenticated > routes.length && csrf > 100 && headers > 20,
      `${unauthenticated} ${csrf} ${headers}`,
    );
  } finally {
    await h.close();
  }
});

Deno.test("T06: console and terminal upgrades with a foreign Origin or no session spawn nothing", async () => {
  const h = await startServerHarness();
  try {
    const response = await h.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({ name: "sockets", base_blueprint: "log_ready.sh" }),
    });
    assertEquals(response.status, 201);
    const created = await response.json();
    const base = h.url.replace("http://", "ws://");
    const cookie = h.authHeaders().cookie ?? "";
    const instancePort = `http://127.0.0.1:${created.port}`;
    const attempts: Array<[string, Record<string, string>]> = [
      ["foreign origin", { cookie, origin: "http://evil.example" }],
      ["instance origin", { cookie, origin: instancePort }],
      ["no cookie", { origin: h.url }],
      ["expired cookie", { cookie: "aikore_session=expired", origin: h.url }],
    ];
    let refused = 0;
    for (
      const path of [
        `/api/instances/${created.id}/terminal`,
        `/api/instances/${created.id}/console`,
      ]
    ) {
      for (const [label, headers] of attempts) {
        for (let i = 0; i < 5; i++) {
          const socket = new WebSocket(`${base}${path}`, { headers } as unknown as string[]);
          const outcome = await new Promise<string>((resolve) => {
            socket.onopen = () => resolve("open");
            socket.onerror = () => resolve("refused");
          });
          assertEquals(outcome, "refused", `${label} on ${path}`);
          socket.close();
          refused++;
        }
      }
    }
    assertEquals(h.server.services.terminals.count, 0, "no PTY spawned");
    const audit = h.server.services.audit.list({ limit: 500, action: "ws_rejected" });
    // Rejections without credentials are counted per address and window (issue 16).
    assertEquals(audit.reduce((sum, row) => sum + Number(row.detail?.count ?? 1), 0), refused);

    const allowed = new WebSocket(`${base}/api/instances/${created.id}/terminal`, {
      headers: { cookie, origin: h.url },
    } as unknown as string[]);
    const opened = await new Promise<string>((resolve) => {
      allowed.onopen = () => resolve("open");
      allowed.onerror = () => resolve("refused");
    });
    assertEquals(opened, "open", "the same upgrade with a session and the dashboard Origin works");
    allowed.close();
    assertEquals(h.server.services.terminals.count, 1);
  } finally {
    await h.close();
  }
});

Deno.test("malformed percent-encoding under /static without a session is a 400, never a 500", async () => {
  const h = await startHarness({ env: { AIKORE_PASSWORD: PASSWORD } });
  try {
    for (const path of ["/static/%ff", "/static/%E0%A4%A", "/static/a%zz.css"]) {
      const response = await h.app.request(
        path,
        { headers: { host: "127.0.0.1:9000" } },
        LOOPBACK_PEER,
      );
      assertEquals(response.status, 400, path);
      assert(!(await response.text()).includes("URIError"), `${path}: no stack in the body`);
    }
  } finally {
    await h.close();
  }
});
