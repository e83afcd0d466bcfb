import type { RouteEntry } from "./route_table.ts";
import { PROXIED_STATUSES, TRANSIENT_STATUSES } from "../shared/instance_status.ts";

/** What the page shows and offers. */
export interface PageFacts {
  entry: RouteEntry | null;
  /** Where the dashboard is (absolute URL or path). */
  dashboardUrl: string;
  /** The session's CSRF token: the Start button is offered only with one. */
  csrfToken: string | null;
  /** A message after a start attempt that failed. */
  notice?: string | null;
  /** The idle policy stopped it and this request is starting it again. */
  waking?: boolean;
}

/** Seconds a client should wait before asking again while an app is on its way. */
export const RETRY_AFTER_SECONDS = 2;

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** Statuses from which the Start button can start the instance. */
const STARTABLE = new Set(["stopped", "exited", "error"]);
/** No script at all (the page's CSP forbids it): reloads come from a meta refresh. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The HTTP status of the page: 404 for no instance, else 503 (the app is not answering). */
export function pageStatus(entry: RouteEntry | null): number {
  return entry === null ? 404 : 503;
}

/**
 * The small AiKore page an instance's port and path show while its app is not serving: its
 * name and status, a Start button (a form POST with the session's CSRF token), a link to the
 * dashboard; while starting it reloads every second and so lands on the app once healthy.
 */
export function notServingPage(facts: PageFacts): string {
  const { entry } = facts;
  const title = entry ? entry.name : "No instance here";
  const following = entry !== null && onItsWay(entry, facts.waking === true);
  const lines: string[] = [];
  if (entry === null) {
    lines.push("<p>No instance is published at this address.</p>");
  } else {
    const status = facts.waking ? "starting" : entry.status;
    lines.push(`<p>Status: <strong id="status">${escape(status)}</strong></p>`);
    if (facts.waking) lines.push("<p>It was stopped while idle; this request starts it.</p>");
    else if (entry.statusMessage) lines.push(`<p class="msg">${escape(entry.statusMessage)}</p>`);
    if (entry.unpublishable) lines.push(`<p>Not published: ${escape(entry.unpublishable)}.</p>`);
    if (following) {
      lines.push("<p>This page follows the status and opens the app once it is ready.</p>");
    }
    if (facts.notice) lines.push(`<p class="msg">${escape(facts.notice)}</p>`);
    if (!facts.waking && STARTABLE.has(entry.status) && !entry.unpublishable && facts.csrfToken) {
      lines.push(
        `<form method="post"><input type="hidden" name="aikore_action" value="start">` +
          `<input type="hidden" name="aikore_csrf" value="${escape(facts.csrfToken)}">` +
          `<button type="submit">Start ${escape(entry.name)}</button></form>`,
      );
    }
  }
  lines.push(`<p><a href="${escape(facts.dashboardUrl)}">Open the AiKore dashboard</a></p>`);
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ...(following ? ['<meta http-equiv="refresh" content="1">'] : []),
    `<title>${escape(title)} · AiKore</title>`,
    "<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}" +
    ".msg{color:#555}button{font:inherit;padding:.4rem 1rem}</style>",
    "</head><body>",
    `<h1>${escape(title)}</h1>`,
    ...lines,
    "</body></html>",
  ].join("\n");
}

/** The page that sends a browser on to `url` (already checked) after login, without script. */
export function returnPage(url: string): string {
  const safe = escape(url);
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="refresh" content="0;url=${safe}">`,
    "<title>Back to the app · AiKore</title></head><body>",
    `<p><a href="${safe}">Continue to the app</a></p>`,
    "</body></html>",
  ].join("\n");
}

/**
 * Whether the app is on its way (starting, being woken, or already serving while this page was
 * answered from a decision made a moment earlier): the page follows it, clients retry.
 */
function onItsWay(entry: RouteEntry, waking: boolean): boolean {
  return waking || TRANSIENT_STATUSES.has(entry.status) || PROXIED_STATUSES.has(entry.status);
}

/**
 * The answer on an instance's port or path while its app is not serving: the page for
 * browsers (built by `html`, which adds the page's headers), one line of text for API and
 * WebSocket clients; `Retry-After` while the app is on its way.
 */
export function notServingResponse(
  request: Request,
  facts: PageFacts,
  html: (body: string, status: number) => Response,
): Response {
  const head = request.method === "HEAD";
  const status = pageStatus(facts.entry);
  const text = notServingText(facts.entry, facts.waking === true);
  let response: Response;
  if (wantsPage(request.headers)) {
    response = html(head ? "" : notServingPage(facts), status);
  } else {
    response = new Response(head ? null : text.body, {
      status,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  if (text.retryAfter !== null) response.headers.set("retry-after", String(text.retryAfter));
  return response;
}

/**
 * Whether the client takes the HTML page: not a WebSocket, and HTML acceptable (browsers, and
 * plain clients sending `*\/*`); an API client asking for JSON only gets a short 503 instead.
 */
export function wantsPage(headers: Headers): boolean {
  if ((headers.get("upgrade") ?? "") !== "") return false;
  const accept = headers.get("accept");
  return accept === null || accept.includes("text/html") || accept.includes("*/*");
}

/**
 * The answer for a client that is not a browser (an API call, a WebSocket): 503 with
 * Retry-After while the app is on its way, a one-line text saying what is going on.
 */
export function notServingText(entry: RouteEntry | null, waking: boolean): {
  body: string;
  retryAfter: number | null;
} {
  if (entry === null) {
    return { body: "No instance is published at this address.\n", retryAfter: null };
  }
  const coming = onItsWay(entry, waking);
  const status = waking ? "starting" : entry.status;
  return {
    body: `${entry.name} is ${status}${coming ? "; retry shortly" : ""}.\n`,
    retryAfter: coming ? RETRY_AFTER_SECONDS : null,
  };
}
