import { constantTimeEqual, type Principal } from "../auth/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  CHECK_HEADERS,
  GATEWAY_CHECK_PATH,
  GATEWAY_INTERNAL_PREFIX,
  LOGIN_CLAIM_PATH,
} from "../nginx/mod.ts";
import { type CheckRequest, decide, type GatewaySettings, hostName } from "./gateway_decision.ts";
import { htmlResponse } from "./html_response.ts";
import { LoginFlow } from "./login_flow.ts";
import { dashboardLoginUrl } from "./login_return.ts";
import { notServingResponse } from "./not_serving_page.ts";
import type { RouteTable } from "./route_table.ts";
import type { WakeGate } from "./wake_gate.ts";

/** Path of the page nginx shows instead of an app that is not serving. */
export const GATEWAY_PAGE_PATH = `${GATEWAY_INTERNAL_PREFIX}page`;
/** Where the login page sends a browser back to an instance origin (`?to=<absolute URL>`). */
export const LOGIN_RETURN_PATH = "/_aikore/return";

/** What the gateway endpoints need. */
export interface GatewayEndpointDeps {
  table: RouteTable;
  settings: GatewaySettings & { poolRange: { start: number; end: number } };
  authenticate: (headers: Headers) => Principal | null;
  /** Starts instance `id` on behalf of `actor` (the page's Start button). */
  start: (id: number, actor: { actor: string; client: string | null }) => Promise<unknown>;
  logger: Logger;
  /** Idle stop: records requests passed to apps, wakes idle-stopped instances. */
  wake?: Pick<WakeGate, "seen" | "wake" | "heldBack">;
  /** Wall clock in ms (the cache deadline must be on nginx's clock); default Date.now. */
  now?: () => number;
}

const ROUTES = new Set(["port", "path", "host"]);
const MAX_FORM_BYTES = 4096;

function checkRequest(headers: Headers, authenticated: boolean): CheckRequest | null {
  const route = headers.get("x-aikore-route") ?? "";
  const serverPort = Number(headers.get("x-aikore-port"));
  const uri = headers.get("x-original-uri") ?? "";
  if (!ROUTES.has(route) || !Number.isInteger(serverPort) || !uri.startsWith("/")) return null;
  return {
    route: route as CheckRequest["route"],
    serverPort,
    host: (headers.get("host") ?? "").toLowerCase(),
    uri,
    proto: headers.get("x-forwarded-proto") === "https" ? "https" : "http",
    authenticated,
  };
}

/**
 * AiKore's side of the gateway, answered before the app's routing and middleware because it
 * runs on every proxied request: the check (may it pass, and where to), the not-serving page
 * with its Start button, and the bounce back to an instance origin after login.
 */
export class GatewayEndpoint {
  readonly #now: () => number;
  readonly #login: LoginFlow;

  constructor(private readonly d: GatewayEndpointDeps) {
    this.#now = d.now ?? Date.now;
    this.#login = new LoginFlow(d.table, d.settings, d.authenticate, this.#now);
  }

  /** The response for `request`, or null when the path is not a gateway endpoint. */
  handle(request: Request, url: URL): Promise<Response> | Response | null {
    if (url.pathname === GATEWAY_CHECK_PATH) return this.check(request.headers);
    if (url.pathname === GATEWAY_PAGE_PATH) return this.page(request, url);
    if (url.pathname === LOGIN_RETURN_PATH) return this.#login.returnTo(request, url);
    if (url.pathname === LOGIN_CLAIM_PATH) return this.#login.claim(request, url);
    return null;
  }

  /** nginx's auth subrequest: 204 with the upstream, 401 with the login URL, 403 to refuse. */
  check(headers: Headers): Response {
    const principal = this.d.authenticate(headers);
    const request = checkRequest(headers, principal !== null);
    if (!request) return new Response(null, { status: 403 });
    const decision = decide(request, this.d.table, this.d.settings);
    switch (decision.kind) {
      case "refuse":
        return new Response(null, { status: 403 });
      case "login": {
        const name = hostName(request.host) ?? "";
        const login = dashboardLoginUrl(decision.url, name, this.d.settings.dashboardNames);
        return new Response(null, { status: 401, headers: { [CHECK_HEADERS.login]: login } });
      }
      case "app": {
        this.d.wake?.seen(decision.id);
        // nginx rebuilds the URI itself (see CHECK_HEADERS.kind), so this answer fits every
        // URI of the route and may be cached until the end of this second: a logout, a
        // password change or a revoked token is seen by any request a second later, and
        // each client's activity (per credentials, host and port) still reaches AiKore at
        // least once in every second it makes requests.
        const strip = request.route === "path" && decision.uri !== request.uri;
        const out = new Headers({
          [CHECK_HEADERS.port]: String(decision.port),
          [CHECK_HEADERS.uri]: decision.uri,
          [CHECK_HEADERS.kind]: strip ? "app_strip" : "app",
          [CHECK_HEADERS.cacheUntil]: `@${Math.floor(this.#now() / 1000)}`,
        });
        if (decision.prefix) out.set("x-aikore-prefix", decision.prefix);
        return new Response(null, { status: 204, headers: out });
      }
      case "page": {
        const query = new URLSearchParams({
          id: String(decision.entry?.id ?? 0),
          route: request.route,
          u: request.uri,
        });
        return new Response(null, {
          status: 204,
          headers: {
            [CHECK_HEADERS.port]: String(this.d.settings.backendPort),
            [CHECK_HEADERS.uri]: `${GATEWAY_PAGE_PATH}?${query}`,
            [CHECK_HEADERS.kind]: "page",
          },
        });
      }
    }
  }

  private async page(request: Request, url: URL): Promise<Response> {
    const principal = this.d.authenticate(request.headers);
    const entry = this.d.table.get(Number(url.searchParams.get("id")));
    const route = url.searchParams.get("route");
    const uri = url.searchParams.get("u") ?? "/";
    const host = (request.headers.get("host") ?? "").toLowerCase();
    const proto = request.headers.get("x-forwarded-proto") === "https" ? "https" : "http";
    const name = hostName(host) ?? "localhost";
    const dashboardUrl = route === "path"
      ? "/"
      : `${proto}://${name}:${this.d.settings.dashboardPort}/`;
    const csrfToken = principal?.csrfToken ?? null;
    const client = request.headers.get("x-real-ip");
    const heldBack = entry !== null && principal !== null
      ? this.d.wake?.heldBack(entry) ?? null
      : null;
    let notice: string | null = heldBack;
    const waking = entry !== null && principal !== null && heldBack === null &&
      this.d.wake?.wake(entry, { actor: principal.actor, client }) === true;
    if (!waking && request.method === "POST" && entry && principal && uri.startsWith("/")) {
      const refused = await this.startFromPage(request, `${proto}://${host}`, csrfToken);
      if (refused === null) {
        const actor = { actor: principal.actor, client: request.headers.get("x-real-ip") };
        try {
          await this.d.start(entry.id, actor);
          return new Response(null, { status: 303, headers: { location: uri } });
        } catch (error) {
          notice = `Could not start: ${error instanceof Error ? error.message : String(error)}`;
        }
      } else notice = refused;
    }
    const facts = { entry, dashboardUrl, csrfToken, notice, waking };
    return notServingResponse(request, facts, htmlResponse);
  }

  /** Why the page's Start form is refused (Origin, CSRF token), or null when it may start. */
  private async startFromPage(
    request: Request,
    origin: string,
    csrfToken: string | null,
  ): Promise<string | null> {
    if (request.headers.get("origin") !== origin) {
      return "Refused: the form came from another site.";
    }
    const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim();
    if (type !== "application/x-www-form-urlencoded") return "Refused: not the Start form.";
    const text = await request.text();
    if (text.length > MAX_FORM_BYTES) return "Refused: the form is too large.";
    const form = new URLSearchParams(text);
    const sent = form.get("aikore_csrf") ?? "";
    if (
      form.get("aikore_action") !== "start" || !csrfToken || !constantTimeEqual(sent, csrfToken)
    ) {
      return "Refused: the form is outdated; reload the page.";
    }
    return null;
  }
}
