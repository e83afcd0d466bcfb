import { assertEquals } from "../../tests/helpers/assert.ts";
import { describeApiError } from "./api_client.ts";
import { readServerEvents } from "./event_stream.ts";

Deno.test("an API error reads as one line: status, code, message, then each field and reason", () => {
  assertEquals(
    describeApiError(422, {
      error: {
        code: "invalid_input",
        message: "Invalid offset: must be a whole number",
        details: [{ field: "offset", reason: "must be a whole number" }, {
          field: "q",
          reason: "x",
        }],
      },
    }),
    "422 invalid_input: Invalid offset: must be a whole number (offset: must be a whole number; q: x)",
  );
  assertEquals(
    describeApiError(401, { error: { code: "unauthorized", message: "Sign in", details: null } }),
    "401 unauthorized: Sign in (check AIKORE_TOKEN or --token)",
  );
  assertEquals(
    describeApiError(502, "<html>bad gateway</html>"),
    "HTTP 502: not an AiKore API answer (is the URL right?)",
  );
});

Deno.test("server-sent events split across chunks, CRLF lines and comments parse into events", async () => {
  const parts = [
    ": ping\r\n\r\nevent: snap",
    'shot\r\nid: 4\r\ndata: {"a":\r\ndata: 1}\r\n',
    "\r\n",
    "data: x\n\n",
  ];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
      controller.close();
    },
  });
  const events = [];
  for await (const event of readServerEvents(body)) events.push(event);
  assertEquals(events, [
    { event: "snapshot", data: '{"a":\n1}' },
    { event: "message", data: "x" },
  ]);
});
