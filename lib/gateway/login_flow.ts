import {
  DEFAULT_LIFETIMES,
  type Principal,
  readCookies,
  SESSION_COOKIE,
  sessionCookie,
} from "../auth/mod.ts";
import { LOGIN_CLAIM_PATH } from "../nginx/mod.ts";
import { htmlResponse } from "./html_response.ts";
import { loginReturnTarget, type ReturnRules } from "./login_return.ts";
import { LoginTickets } from "./login_tickets.ts";
import { returnPage } from "./not_serving_page.ts";
import type { RouteTable } from "./route_table.ts";

/**
 * The way back to an instance origin after login. A port route shares the dashboard's host
 * (cookies ignore ports); a custom host name does not, so its origin gets the session through
 * a one-time ticket (`LoginTickets`) redeemed at LOGIN_CLAIM_PATH. Never an open redirect.
 */
export class LoginFlow {
  readonly #tickets: LoginTickets;

  constructor(
    private readonly table: RouteTable,
    private readonly settings: ReturnRules,
    private readonly authenticate: (headers: Headers) => Principal | null,
    now: () => number,
  ) {
    this.#tickets = new LoginTickets(now);
  }

  /** After login: back to `?to=` (checked), by way of a ticket for a custom host name. */
  returnTo(request: Request, url: URL): Response {
    const target = loginReturnTarget(url.searchParams.get("to"), this.settings, this.table);
    if (target === null) return new Response(null, { status: 303, headers: { location: "/" } });
    const back = new URL(target);
    // A page, not a redirect: the login form's CSP (form-action 'self') stops a form's
    // redirect chain at another origin, and the instance port is another origin.
    if (this.settings.dashboardNames.includes(back.hostname.toLowerCase())) {
      return htmlResponse(returnPage(target), 200);
    }
    // A custom host name has cookies of its own: its origin gets the session by a ticket.
    const sessionId = this.#sessionId(request.headers);
    if (sessionId === null) {
      const next = encodeURIComponent(`${url.pathname}${url.search}`);
      return new Response(null, { status: 303, headers: { location: `/login?next=${next}` } });
    }
    const ticket = this.#tickets.issue(sessionId, target);
    return htmlResponse(returnPage(`${back.origin}${LOGIN_CLAIM_PATH}?ticket=${ticket}`), 200);
  }

  /** The raw id of the request's valid session cookie (a decoy copy may come first). */
  #sessionId(headers: Headers): string | null {
    for (const id of readCookies(headers.get("cookie"), SESSION_COOKIE)) {
      const only = new Headers({ cookie: `${SESSION_COOKIE}=${id}` });
      if (this.authenticate(only)?.kind === "session") return id;
    }
    return null;
  }

  /**
   * A custom host name's origin redeems its ticket: the session cookie is set for this host
   * and a page (a same-site navigation, so the Strict cookie goes along) leads to the app.
   */
  claim(request: Request, url: URL): Response {
    const host = (request.headers.get("host") ?? "").toLowerCase();
    const held = this.#tickets.redeem(url.searchParams.get("ticket") ?? "", host);
    if (held === null) return new Response(null, { status: 303, headers: { location: "/" } });
    const response = htmlResponse(returnPage(held.target), 200);
    response.headers.append(
      "set-cookie",
      sessionCookie(held.sessionId, {
        secure: request.headers.get("x-forwarded-proto") === "https",
        maxAgeSeconds: DEFAULT_LIFETIMES.absoluteMs / 1000,
      }),
    );
    return response;
  }
}
