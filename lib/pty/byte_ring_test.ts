import { deepEqual, equal, throws } from "node:assert/strict";
import { ByteRing } from "./byte_ring.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

Deno.test("keeps everything until full, then only the newest bytes", () => {
  const ring = new ByteRing(8);
  ring.push(bytes("abc"));
  ring.push(bytes("def"));
  equal(text(ring.snapshot()), "abcdef");
  ring.push(bytes("ghij"));
  equal(text(ring.snapshot()), "cdefghij");
  equal(ring.length, 8);
  equal(ring.totalWritten, 10);
  ring.push(bytes("k"));
  equal(text(ring.snapshot()), "defghijk");
});

Deno.test("a chunk larger than the ring keeps its tail", () => {
  const ring = new ByteRing(4);
  ring.push(bytes("x"));
  ring.push(bytes("0123456789"));
  equal(text(ring.snapshot()), "6789");
});

Deno.test("snapshot(max) returns the newest max bytes across the wrap point", () => {
  const ring = new ByteRing(5);
  ring.push(bytes("abcd"));
  ring.push(bytes("efg"));
  equal(text(ring.snapshot(3)), "efg");
  equal(text(ring.snapshot(4)), "defg");
  equal(text(ring.snapshot(99)), "cdefg");
  equal(ring.snapshot(0).length, 0);
});

Deno.test("a cut inside a UTF-8 character drops the orphaned continuation bytes", () => {
  const ring = new ByteRing(5);
  ring.push(bytes("a€b€")); // € is e2 82 ac: the ring keeps "ac 62 e2 82 ac"
  deepEqual([...ring.snapshot()], [0x62, 0xe2, 0x82, 0xac]);
  equal(text(ring.snapshot()), "b€");
});

Deno.test("continuation bytes are kept when nothing was cut", () => {
  const ring = new ByteRing(16);
  ring.push(new Uint8Array([0x82, 0x41]));
  deepEqual([...ring.snapshot()], [0x82, 0x41]);
});

Deno.test("stays bounded under a long flood", () => {
  const ring = new ByteRing(1000);
  const chunk = bytes("progress 42%\r".repeat(50));
  for (let i = 0; i < 5000; i++) ring.push(chunk);
  equal(ring.length, 1000);
  equal(ring.snapshot().length, 1000);
  equal(ring.totalWritten, chunk.length * 5000);
});

Deno.test("rejects a non-positive capacity", () => {
  throws(() => new ByteRing(0), RangeError);
});
