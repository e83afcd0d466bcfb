import { deepEqual, equal, ok } from "node:assert/strict";
import {
  AckCounter,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  TERMINAL_LIMITS,
  type TerminalClientMessage,
  type TerminalServerMessage,
  validateClientMessage,
} from "./terminal_protocol.ts";

Deno.test("every client message survives encode → decode", () => {
  const messages: TerminalClientMessage[] = [
    { type: "input", data: "ls -la\r\u00e9\u{1f600}" },
    { type: "resize", cols: 132, rows: 50 },
    { type: "ack", bytes: 65536 },
    { type: "pause" },
    { type: "resume" },
  ];
  for (const message of messages) {
    deepEqual(decodeClientMessage(encodeClientMessage(message)), { ok: true, message });
  }
});

Deno.test("every server message survives encode → decode", () => {
  const messages: TerminalServerMessage[] = [
    { type: "hello", protocol: 1, readOnly: false, cols: 0, rows: 0, ackEveryBytes: 65536 },
    { type: "resize", cols: 80, rows: 24 },
    { type: "exit", code: 3, signal: null },
    { type: "exit", code: null, signal: 9 },
    { type: "error", message: "nope" },
  ];
  for (const message of messages) {
    deepEqual(decodeServerMessage(encodeServerMessage(message)), { ok: true, message });
  }
});

Deno.test("extra fields are dropped, not passed through", () => {
  deepEqual(decodeClientMessage('{"type":"pause","evil":1}'), {
    ok: true,
    message: { type: "pause" },
  });
});

Deno.test("client messages outside the limits are rejected with a reason", () => {
  const bad: [string, RegExp][] = [
    ["not json", /not valid JSON/],
    ["[1,2]", /JSON object/],
    ['{"type":7}', /string `type`/],
    ['{"type":"resize","cols":0,"rows":10}', /resize needs/],
    ['{"type":"resize","cols":80.5,"rows":10}', /resize needs/],
    ['{"type":"resize","cols":80,"rows":501}', /resize needs/],
    ['{"type":"ack","bytes":-1}', /positive integer/],
    ['{"type":"ack","bytes":"12"}', /positive integer/],
    ['{"type":"input","data":5}', /must be a string/],
    ['{"type":"exec"}', /unknown message type "exec"/],
  ];
  for (const [text, reason] of bad) {
    const result = decodeClientMessage(text);
    ok(!result.ok, `${text} must be rejected`);
    ok(!result.ok && reason.test(result.error), `${text}: ${!result.ok && result.error}`);
  }
  const tooLong = "x".repeat(TERMINAL_LIMITS.maxInputLength + 1);
  equal(validateClientMessage({ type: "input", data: tooLong }).ok, false);
  equal(decodeClientMessage("x".repeat(TERMINAL_LIMITS.maxControlFrameLength + 1)).ok, false);
});

Deno.test("a maximal input with worst-case JSON escaping still fits in a control frame", () => {
  const data = "\u0001".repeat(TERMINAL_LIMITS.maxInputLength);
  const result = decodeClientMessage(encodeClientMessage({ type: "input", data }));
  equal(result.ok, true);
});

Deno.test("malformed server messages are rejected", () => {
  equal(decodeServerMessage('{"type":"exit","code":"3","signal":null}').ok, false);
  equal(decodeServerMessage('{"type":"hello","protocol":1}').ok, false);
  equal(decodeServerMessage('{"type":"error"}').ok, false);
});

Deno.test("the ack counter acks in batches and flushes the remainder", () => {
  const counter = new AckCounter(100);
  equal(counter.processed(60), null);
  deepEqual(counter.processed(60), { type: "ack", bytes: 120 });
  equal(counter.processed(30), null);
  deepEqual(counter.flush(), { type: "ack", bytes: 30 });
  equal(counter.flush(), null);
});
