import { assertEquals, assertRejects } from "../../../tests/helpers/assert.ts";
import { SerialQueue } from "./serial_queue.ts";

Deno.test("tasks run one at a time in queue order; a failure rejects only its own caller", async () => {
  const queue = new SerialQueue();
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const first = queue.run(async () => {
    seen.push("first:begin");
    await gate;
    seen.push("first:end");
    return 1;
  });
  const second = queue.run(() => {
    seen.push("second");
    throw new Error("boom");
  });
  const third = queue.run(() => {
    seen.push("third");
    return 3;
  });
  assertEquals(queue.pending, 3);
  await Promise.resolve();
  assertEquals(seen, ["first:begin"], "nothing overtakes a running task");
  release();
  assertEquals(await first, 1);
  await assertRejects(() => second, /boom/);
  assertEquals(await third, 3);
  assertEquals(seen, ["first:begin", "first:end", "second", "third"]);
  await queue.drained();
  assertEquals(queue.pending, 0);
});
