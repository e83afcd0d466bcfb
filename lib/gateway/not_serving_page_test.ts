import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { routeRecord } from "../nginx/testdata/gateway_fixture.ts";
import { IDLE_STOP_NOTE } from "../shared/idle_stop.ts";
import { notServingResponse, type PageFacts } from "./not_serving_page.ts";
import { RouteTable } from "./route_table.ts";

const table = new RouteTable();
table.upsert(
  routeRecord({
    id: 1,
    slug: "nap",
    port: 19001,
    appPort: null,
    status: "stopped",
    statusMessage: IDLE_STOP_NOTE,
  }),
);
table.upsert(routeRecord({ id: 2, slug: "off", port: 19002, appPort: null, status: "stopped" }));

const html = (body: string, status: number) =>
  new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8" } });
const facts = (id: number, waking: boolean): PageFacts => ({
  entry: table.get(id),
  dashboardUrl: "/",
  csrfToken: "csrf",
  waking,
});
const ask = (headers: Record<string, string>) => new Request("http://x/", { headers });

Deno.test("a woken instance: the starting page for browsers, a line of text for API and WebSocket clients, Retry-After for all", async () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ accept: "text/html,application/xhtml+xml" }, "text/html; charset=utf-8"],
    [{ accept: "*/*" }, "text/html; charset=utf-8"],
    [{ accept: "application/json" }, "text/plain; charset=utf-8"],
    [{ upgrade: "websocket", accept: "*/*" }, "text/plain; charset=utf-8"],
  ];
  for (const [headers, type] of cases) {
    const response = notServingResponse(ask(headers), facts(1, true), html);
    assertEquals(response.status, 503, JSON.stringify(headers));
    assertEquals(response.headers.get("content-type"), type, JSON.stringify(headers));
    assertEquals(response.headers.get("retry-after"), "2");
    const body = await response.text();
    if (type.startsWith("text/plain")) assertEquals(body, "nap is starting; retry shortly.\n");
    else {
      assert(body.includes('id="status">starting<') && body.includes("http-equiv"), body);
      assert(!body.includes("<form"), "no Start button while waking");
    }
  }
});

Deno.test("a stopped instance that is not waking: no Retry-After, the Start button, no refresh", async () => {
  const response = notServingResponse(ask({ accept: "text/html" }), facts(2, false), html);
  assertEquals([response.status, response.headers.get("retry-after")], [503, null]);
  const body = await response.text();
  assert(body.includes("Start off") && !body.includes("http-equiv"), body);
  const api = notServingResponse(ask({ accept: "application/json" }), facts(2, false), html);
  assertEquals([await api.text(), api.headers.get("retry-after")], ["off is stopped.\n", null]);
});
