/**
 * A small AiKore-shaped app for the auth and web-security tests: the real security middleware,
 * the real auth API and pages, a real SQLite file, and dummy routes standing in for the rest of
 * the API (each state change bumps `effects`, each accepted socket bumps `spawns`).
 */
import { Hono } from "hono";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { PageShell } from "../../components/PageShell.tsx";
import {
  AuthService,
  hashPassword,
  type PasswordHasher,
  scryptHasher,
} from "../../lib/auth/mod.ts";
import { AuditRepository, openDatabase, SettingsRepository } from "../../lib/db/mod.ts";
import { type AppEnv, errorResponder } from "../../lib/http/mod.ts";
import { securityMiddleware, upgradeCheck } from "../../lib/http/security/mod.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { HttpError } from "../../lib/shared/http_error.ts";
import { registerAuthRoutes } from "../../routes/api/auth.ts";
import { ApiRouter } from "../../lib/http/mod.ts";
import { authPages } from "../../routes/pages/auth_pages.tsx";

const STATIC_DIR = new URL("../../static/", import.meta.url);

/** The password the helper sets unless told otherwise. */
export const TEST_PASSWORD = "correct horse battery staple";

/** Credentials of a logged-in test browser. */
export interface TestLogin {
  cookie: string;
  csrfToken: string;
  setCookie: string;
}

export interface AuthTestApp {
  app: Hono<AppEnv>;
  auth: AuthService;
  dir: string;
  dbPath: string;
  audit: AuditRepository;
  /** Every log line written. */
  logs: string[];
  /** State changes made by the dummy routes. */
  effects: { count: number };
  /** WebSockets accepted by the dummy socket route (stand-in for spawned PTYs). */
  spawns: { count: number };
  /** Password hash verifications so far. */
  verifications: { count: number };
  /** `app.request` with a TCP peer address (default a LAN client). */
  request(path: string, init?: RequestInit, peer?: string): Promise<Response>;
  /** Logs in through the API and returns the cookie and CSRF token. */
  login(password?: string, peer?: string): Promise<TestLogin>;
  close(): Promise<void>;
}

/** The env Deno.serve passes to Hono, for `app.request`. */
export function peerEnv(hostname: string) {
  return { remoteAddr: { transport: "tcp" as const, hostname, port: 40000 } };
}

/** The session cookie pair (`aikore_session=…`) of a `Set-Cookie` header. */
export function cookiePair(setCookie: string | null): string {
  return (setCookie ?? "").split(";")[0] ?? "";
}

export interface AuthTestAppOptions {
  /** Set this password before the first request (null: leave the server un-set-up). */
  password?: string | null;
  authEnabled?: boolean;
  now?: () => number;
  allowedHosts?: string[];
  /**
   * scrypt cost: "owasp" (production, ~0.7 s a hash here) for tests about hashing; "test"
   * (N=2^12, the default) keeps flow tests fast on a 2-core CI machine.
   */
  hashCost?: "owasp" | "test";
}

/** Builds the test app in a fresh temp data dir. */
export async function createAuthTestApp(options: AuthTestAppOptions = {}): Promise<AuthTestApp> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-auth-" });
  const dbPath = `${dir}/aikore.db`;
  const db = openDatabase(dbPath);
  const logs: string[] = [];
  const logger = createLogger("debug", "aikore", (line) => logs.push(line));
  const verifications = { count: 0 };
  const hasher: PasswordHasher = {
    hash: options.hashCost === "owasp"
      ? scryptHasher.hash
      : (password) => hashPassword(password, { N: 2 ** 12, r: 8, p: 1 }),
    verify: (password, encoded) => {
      verifications.count++;
      return scryptHasher.verify(password, encoded);
    },
  };
  const audit = new AuditRepository(db);
  const auth = new AuthService({
    db,
    settings: new SettingsRepository(db),
    audit,
    logger,
    authEnabled: options.authEnabled ?? true,
    hasher,
    ...(options.now ? { now: options.now } : {}),
  });
  const password = options.password === undefined ? TEST_PASSWORD : options.password;
  if (password !== null) await auth.applyInitialPassword(password);

  const effects = { count: 0 };
  const spawns = { count: 0 };
  const app = new Hono<AppEnv>({ strict: false });
  app.onError(errorResponder(logger));
  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) throw new HttpError(404, "No such API route");
    return c.text("Not found", 404);
  });
  for (
    const middleware of securityMiddleware(auth, {
      allowedHosts: options.allowedHosts ?? ["aikore.lan"],
    })
  ) app.use(middleware);
  app.get("/healthz", (c) => c.text("ok"));
  // The real stylesheet and icon, so browser tests load them under the real CSP.
  app.get(
    "/static/app.css",
    async (c) =>
      c.body(await Deno.readTextFile(new URL("app.css", STATIC_DIR)), 200, {
        "Content-Type": "text/css; charset=utf-8",
      }),
  );
  app.get(
    "/static/favicon.svg",
    async (c) =>
      c.body(await Deno.readTextFile(new URL("favicon.svg", STATIC_DIR)), 200, {
        "Content-Type": "image/svg+xml",
      }),
  );
  app.get("/", (c) =>
    c.html(
      "<!DOCTYPE html>" +
        renderToString(
          h(
            PageShell,
            {
              title: "AiKore",
              authDisabledBanner: !auth.authEnabled,
              children: h("main", null, "dashboard"),
            },
          ),
        ),
    ));
  registerAuthRoutes(new ApiRouter(app), { auth, audit });
  app.route("/", authPages({ auth }));
  registerDummyApi(app, effects, spawns, auth);

  const request = (path: string, init: RequestInit = {}, peer = "192.0.2.10") =>
    Promise.resolve(app.request(path, init, peerEnv(peer)));
  const login = async (pw = TEST_PASSWORD, peer = "192.0.2.10"): Promise<TestLogin> => {
    const res = await request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "http://localhost" },
      body: JSON.stringify({ password: pw }),
    }, peer);
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    const body = await res.json() as { csrfToken: string };
    const setCookie = res.headers.get("set-cookie") ?? "";
    return { cookie: cookiePair(setCookie), csrfToken: body.csrfToken, setCookie };
  };
  return {
    app,
    auth,
    dir,
    dbPath,
    audit,
    logs,
    effects,
    spawns,
    verifications,
    request,
    login,
    close: async () => {
      db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function registerDummyApi(
  app: Hono<AppEnv>,
  effects: { count: number },
  spawns: { count: number },
  auth: AuthService,
): void {
  const change = () => {
    effects.count++;
    return Response.json({ ok: true });
  };
  app.get("/api/things", (c) => c.json({ things: [] }));
  app.post("/api/things", change);
  app.put("/api/things/:id", change);
  app.patch("/api/things/:id", change);
  app.delete("/api/things/:id", change);
  app.post("/api/things/:id/start", change);
  app.post("/settings", change);
  app.get("/api/boom", () => {
    throw new Error("secret internal detail at boom (/work/main/lib/x.ts:12:3)");
  });
  const guard = upgradeCheck(auth);
  app.get("/api/things/:id/socket", (c) => {
    const refused = guard(c);
    if (refused) return refused;
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new HttpError(400, "This endpoint needs a WebSocket upgrade");
    }
    const { response, socket } = Deno.upgradeWebSocket(c.req.raw);
    spawns.count++;
    socket.onopen = () => socket.send("hello");
    return response;
  });
}
