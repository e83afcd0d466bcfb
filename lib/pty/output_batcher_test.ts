import { deepEqual, equal } from "node:assert/strict";
import { OutputBatcher } from "./output_batcher.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("a chunk after a quiet spell is sent at once", () => {
  const frames: number[][] = [];
  const batcher = new OutputBatcher((frame) => frames.push([...frame]), 20);
  batcher.push(bytes(1, 2));
  deepEqual(frames, [[1, 2]]);
  batcher.dispose();
});

Deno.test("small output (typing, prompts) is never held back", () => {
  const frames: number[][] = [];
  const batcher = new OutputBatcher((frame) => frames.push([...frame]), 20, 64, 8);
  for (let i = 0; i < 8; i++) batcher.push(bytes(i));
  equal(frames.length, 8);
  batcher.dispose();
});

Deno.test("a flood is gathered into frames within the window", async () => {
  const frames: number[][] = [];
  const batcher = new OutputBatcher((frame) => frames.push([...frame]), 20, 64, 2);
  batcher.push(bytes(1));
  batcher.push(bytes(2));
  batcher.push(bytes(3, 4)); // over 2 bytes in this window: gathered
  batcher.push(bytes(5));
  deepEqual(frames, [[1], [2]]);
  await sleep(40);
  deepEqual(frames, [[1], [2], [3, 4, 5]]);
  await sleep(30);
  batcher.push(bytes(6));
  deepEqual(frames.at(-1), [6], "a new window: immediate again");
  batcher.dispose();
});

Deno.test("a full batch is sent without waiting; flush sends the rest now", () => {
  const frames: number[] = [];
  const batcher = new OutputBatcher((frame) => frames.push(frame.length), 1000, 10, 3);
  batcher.push(new Uint8Array(3));
  batcher.push(new Uint8Array(6));
  batcher.push(new Uint8Array(6));
  deepEqual(frames, [3, 12]);
  batcher.push(new Uint8Array(2));
  batcher.flush();
  deepEqual(frames, [3, 12, 2]);
  batcher.dispose();
});

Deno.test("dispose drops gathered output and leaves no timer behind", () => {
  const frames: number[] = [];
  const batcher = new OutputBatcher((frame) => frames.push(frame.length), 1000, 64, 1);
  batcher.push(new Uint8Array(1));
  batcher.push(new Uint8Array(1));
  batcher.dispose();
  batcher.flush();
  deepEqual(frames, [1]);
});
