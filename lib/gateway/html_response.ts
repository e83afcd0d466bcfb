import { PAGE_CSP } from "./not_serving_page.ts";

/** An AiKore page on an instance origin: never cached, its own strict CSP, no referrer. */
export function htmlResponse(body: string, status: number): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": PAGE_CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}
