/**
 * Reusable web-security suites (security-research T01, T05, T09) over any Hono app and its
 * route inventory (`routeInventory(app)` reads `app.routes`, so new routes are covered
 * automatically). The auth tests run them on a small app; the full-app tests run them on
 * AiKore itself.
 */
import { assert } from "./assert.ts";

/** The part of a Hono app the suites use. */
export interface RequestableApp {
  request(input: string, init?: RequestInit, env?: unknown): Response | Promise<Response>;
  routes: ReadonlyArray<{ method: string; path: string }>;
}

/** One concrete request target. */
export interface RouteEntry {
  method: string;
  /** The registered pattern, e.g. `/api/instances/:id`. */
  pattern: string;
  /** A concrete path for it (parameters filled with `1`, wildcards with `x`). */
  path: string;
}

/** Credentials of a logged-in browser. */
export interface BrowserLogin {
  cookie: string;
  csrfToken: string;
}

/** Common options: the TCP peer env passed to `app.request`, and the dashboard origin. */
export interface SuiteOptions {
  env?: unknown;
  /** The dashboard origin as `app.request` sees it (default `http://localhost`). */
  origin?: string;
}

const UPGRADE = { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Version": "13" };
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function concrete(pattern: string): string {
  return pattern
    .replace(/:[A-Za-z_][A-Za-z0-9_]*(\{[^}]*\})?\??/g, "1")
    .replace(/\*/g, "x");
}

/**
 * Every registered route as a concrete request. Global middleware (`ALL /*`) is skipped; other
 * `ALL` entries are probed as GET and POST.
 */
export function routeInventory(app: RequestableApp): RouteEntry[] {
  const seen = new Set<string>();
  const entries: RouteEntry[] = [];
  for (const route of app.routes) {
    if (route.method === "ALL" && (route.path === "/*" || route.path === "*")) continue;
    const methods = route.method === "ALL" ? ["GET", "POST"] : [route.method];
    for (const method of methods) {
      const key = `${method} ${route.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      entries.push({ method, pattern: route.path, path: concrete(route.path) });
    }
  }
  return entries;
}

function isPublic(path: string): boolean {
  return path === "/login" || path === "/setup" || path === "/healthz" ||
    path.startsWith("/static/");
}

/**
 * T01: without credentials, every route answers 401 (API and WebSocket) or a redirect to the
 * login page (pages); never 2xx or 101, except the login, setup, health and static paths.
 * Returns the number of requests checked (at least one per route).
 */
export async function assertNoUnauthenticatedSurface(
  app: RequestableApp,
  routes: readonly RouteEntry[],
  options: SuiteOptions & { isPublic?: (path: string) => boolean } = {},
): Promise<number> {
  const publicPath = options.isPublic ?? isPublic;
  let checked = 0;
  for (const route of routes) {
    const variants: Array<Record<string, string>> = [{}];
    if (route.method === "GET") variants.push(UPGRADE);
    for (const headers of variants) {
      const init: RequestInit = { method: route.method, headers: { ...headers } };
      if (route.method !== "GET" && route.method !== "HEAD") {
        init.body = "{}";
        (init.headers as Record<string, string>)["Content-Type"] = "application/json";
      }
      const res = await app.request(route.path, init, options.env);
      const label = `${route.method} ${route.path}${headers.Upgrade ? " (upgrade)" : ""}`;
      assert(res.status !== 101, `${label} upgraded without credentials`);
      const apiOrSocket = route.path.startsWith("/api/") || headers.Upgrade !== undefined;
      if (route.pattern === "/api/auth/login" || route.path === "/api/auth/check") {
        assert(res.status >= 400, `${label} answered ${res.status}`);
      } else if (publicPath(route.path) && !apiOrSocket) {
        assert(res.status < 500, `${label} answered ${res.status}`);
      } else if (apiOrSocket) {
        assert(res.status === 401, `${label} answered ${res.status}, want 401`);
      } else {
        const location = res.headers.get("location") ?? "";
        assert(
          (res.status === 302 || res.status === 303) && location.startsWith("/login"),
          `${label} answered ${res.status} ${location}, want a redirect to /login`,
        );
      }
      await res.body?.cancel();
      checked++;
    }
  }
  assert(checked >= routes.length);
  return checked;
}

interface Variant {
  name: string;
  headers: Record<string, string>;
  body: string;
}

function variants(route: RouteEntry, origin: string, csrfToken: string): Variant[] {
  const api = route.path.startsWith("/api/");
  const json = { "Content-Type": "application/json", "X-CSRF-Token": csrfToken };
  const form = { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrfToken };
  const base = api ? json : form;
  const body = api ? "{}" : "password=x&csrf=" + csrfToken;
  const url = new URL(origin);
  const otherPort = `${url.protocol}//${url.hostname}:${url.port === "8443" ? "8444" : "8443"}`;
  const list: Variant[] = [
    { name: "a foreign Origin", headers: { ...base, Origin: "http://evil.example" }, body },
    { name: "b Origin null", headers: { ...base, Origin: "null" }, body },
    {
      name: "c no Origin, no CSRF header",
      headers: { "Content-Type": base["Content-Type"] },
      body,
    },
    {
      name: "d allowed host as a prefix",
      headers: { ...base, Origin: `${url.protocol}//${url.hostname}.evil.com` },
      body,
    },
    { name: "e allowed host, other port", headers: { ...base, Origin: otherPort }, body },
  ];
  if (api) {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]) {
      list.push({
        name: `f form type ${type}`,
        headers: { "Content-Type": type, Origin: origin, "X-CSRF-Token": csrfToken },
        body: "a=1",
      });
    }
  } else {
    list.push({
      name: "f cross-site form post",
      headers: { "Content-Type": "text/plain", Origin: "http://evil.example" },
      body: "a=1",
    });
  }
  return list;
}

/**
 * T05: every state-changing route × 6 variants (foreign Origin, `null`, none, prefix look-alike,
 * other port, form content types) with a valid session cookie: each answered 403 or 415, and
 * `snapshot()` (e.g. a DB content hash) unchanged. Returns the number of requests checked.
 */
export async function assertCsrfMatrix(
  app: RequestableApp,
  routes: readonly RouteEntry[],
  login: () => Promise<BrowserLogin>,
  options: SuiteOptions & { snapshot?: () => unknown | Promise<unknown> } = {},
): Promise<number> {
  const origin = options.origin ?? "http://localhost";
  const { cookie, csrfToken } = await login();
  const before = JSON.stringify(await options.snapshot?.());
  let checked = 0;
  const targets = routes.filter((r) => STATE_CHANGING.has(r.method));
  assert(targets.length > 0, "no state-changing routes in the inventory");
  for (const route of targets) {
    for (const variant of variants(route, origin, csrfToken)) {
      const res = await app.request(route.path, {
        method: route.method,
        headers: { ...variant.headers, Cookie: cookie },
        body: variant.body,
      }, options.env);
      assert(
        res.status === 403 || res.status === 415,
        `${route.method} ${route.path} [${variant.name}] answered ${res.status}`,
      );
      await res.body?.cancel();
      checked++;
    }
  }
  const after = JSON.stringify(await options.snapshot?.());
  assert(before === after, "state changed during the CSRF matrix");
  return checked;
}

const STACK_RE = /\bat [^\n]*\.tsx?:\d+|\.tsx?:\d+:\d+|node_modules|file:\/\//;

/**
 * T09: every GET route, with and without the session, plus an unknown page and API path and a
 * refused Host:
 * nosniff everywhere; HTML carries a CSP with `frame-ancestors 'none'` and no `unsafe-inline`
 * in script-src; /api answers carry `Cache-Control: no-store`; no body shows a stack trace.
 */
export async function assertSecurityHeaders(
  app: RequestableApp,
  routes: readonly RouteEntry[],
  login: BrowserLogin | null,
  options: SuiteOptions = {},
): Promise<number> {
  const paths = routes.filter((r) => r.method === "GET").map((r) => r.path);
  paths.push("/no-such-page", "/api/no-such-route");
  let checked = 0;
  let html = 0;
  for (const path of paths) {
    for (const cookie of login ? [null, login.cookie] : [null]) {
      const res = await app.request(
        path,
        { headers: cookie ? { Cookie: cookie } : {} },
        options.env,
      );
      const label = `GET ${path}${cookie ? " (signed in)" : ""} → ${res.status}`;
      const headers = res.headers;
      assert(headers.get("x-content-type-options") === "nosniff", `${label}: no nosniff`);
      const type = headers.get("content-type") ?? "";
      if (type.includes("text/html")) {
        html++;
        const csp = headers.get("content-security-policy") ?? "";
        assert(/frame-ancestors 'none'/.test(csp), `${label}: CSP without frame-ancestors`);
        const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ??
          /default-src ([^;]*)/.exec(csp)?.[1] ?? "";
        assert(scriptSrc !== "" && !scriptSrc.includes("unsafe-inline"), `${label}: ${csp}`);
      }
      if (path.startsWith("/api/")) {
        assert(/no-store/.test(headers.get("cache-control") ?? ""), `${label}: cacheable`);
      }
      if (type.includes("text/event-stream")) {
        await res.body?.cancel(); // an endless stream: headers are what matter here
      } else {
        const text = await res.text();
        assert(!STACK_RE.test(text), `${label}: body shows internals: ${text.slice(0, 200)}`);
      }
      checked++;
    }
  }
  assert(html > 0, "no HTML page was crawled");
  // Refusals made by middleware before routing carry the headers too.
  const refused = await app.request("/", { headers: { Host: "attacker.example" } }, options.env);
  assert(refused.status === 403, `Host attacker.example answered ${refused.status}`);
  assert(refused.headers.get("x-content-type-options") === "nosniff", "Host refusal: no nosniff");
  assert(/frame-ancestors 'none'/.test(refused.headers.get("content-security-policy") ?? ""));
  await refused.body?.cancel();
  checked++;
  return checked;
}
