import { deepEqual, equal } from "node:assert/strict";
import { OutputBatcher } from "./output_batcher.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

/** Records frames as copies (the batcher reuses its buffer, like WebSocket.send copies). */
function recorder() {
  const frames: number[][] = [];
  return { frames, send: (frame: Uint8Array) => frames.push([...frame]) };
}

Deno.test("output is sent at once while the consumer keeps up (echo is never held)", () => {
  const { frames, send } = recorder();
  const batcher = new OutputBatcher(send, { inFlightBytes: 4, maxFrameBytes: 16 });
  batcher.push(bytes(1, 2));
  batcher.acked(2);
  batcher.push(bytes(3));
  batcher.push(bytes(4));
  deepEqual(frames, [[1, 2], [3], [4]]);
  equal(batcher.unacked, 2);
});

Deno.test("beyond the in-flight bytes, output is gathered until the next ack", () => {
  const { frames, send } = recorder();
  const batcher = new OutputBatcher(send, { inFlightBytes: 4, maxFrameBytes: 16 });
  batcher.push(bytes(1, 2, 3, 4));
  batcher.push(bytes(5));
  batcher.push(bytes(6, 7));
  deepEqual(frames, [[1, 2, 3, 4]]);
  equal(batcher.gathered, 3);
  batcher.acked(1); // still 3 in flight: under 4, so the batch goes
  deepEqual(frames, [[1, 2, 3, 4], [5, 6, 7]]);
  equal(batcher.unacked, 6);
  equal(batcher.gathered, 0);
});

Deno.test("an ack that leaves too much in flight does not release the batch", () => {
  const { frames, send } = recorder();
  const batcher = new OutputBatcher(send, { inFlightBytes: 4, maxFrameBytes: 16 });
  batcher.push(new Uint8Array(10));
  batcher.push(bytes(9));
  batcher.acked(2);
  equal(frames.length, 1);
  batcher.acked(5);
  deepEqual(frames.at(-1), [9]);
});

Deno.test("a full batch is sent without an ack, and the buffer is reused intact", () => {
  const { frames, send } = recorder();
  const batcher = new OutputBatcher(send, { inFlightBytes: 1, maxFrameBytes: 4 });
  batcher.push(bytes(0));
  batcher.push(bytes(1, 2));
  batcher.push(bytes(3, 4)); // fills the buffer exactly: sent without an ack
  batcher.push(bytes(5, 6, 7));
  batcher.push(bytes(8, 9)); // does not fit beside 5,6,7: that batch goes first
  deepEqual(frames, [[0], [1, 2, 3, 4], [5, 6, 7]]);
  batcher.flush();
  deepEqual(frames.at(-1), [8, 9]);
});

Deno.test("a chunk as large as a frame is sent as it is, after what was gathered", () => {
  const sent: Uint8Array[] = [];
  const batcher = new OutputBatcher((f) => sent.push(f.slice()), {
    inFlightBytes: 1,
    maxFrameBytes: 4,
  });
  batcher.push(bytes(1));
  batcher.push(bytes(2));
  const big = bytes(3, 3, 3, 3, 3);
  batcher.push(big);
  deepEqual(sent.map((f) => [...f]), [[1], [2], [3, 3, 3, 3, 3]]);
});

Deno.test("flush sends the gathered bytes now; dispose drops them", () => {
  const { frames, send } = recorder();
  const batcher = new OutputBatcher(send, { inFlightBytes: 1, maxFrameBytes: 16 });
  batcher.push(bytes(1));
  batcher.push(bytes(2));
  batcher.flush();
  batcher.push(bytes(3));
  batcher.dispose();
  batcher.flush();
  batcher.acked(100);
  deepEqual(frames, [[1], [2]]);
});
