import { assertEquals, assertRejects } from "../../tests/helpers/assert.ts";
import { SerialRunner } from "./serial_runner.ts";

Deno.test("tasks run one at a time in call order", async () => {
  const runner = new SerialRunner();
  const events: string[] = [];
  const task = (name: string, ms: number) => async () => {
    events.push(`start ${name}`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    events.push(`end ${name}`);
    return name;
  };
  const results = await Promise.all([
    runner.run(task("a", 20)),
    runner.run(task("b", 1)),
    runner.run(task("c", 5)),
  ]);
  assertEquals(results, ["a", "b", "c"]);
  assertEquals(events, ["start a", "end a", "start b", "end b", "start c", "end c"]);
});

Deno.test("while one request runs, waiting requests coalesce and the latest wins", async () => {
  const runner = new SerialRunner();
  const ran: number[] = [];
  const apply = async (n: number) => {
    ran.push(n);
    await new Promise((resolve) => setTimeout(resolve, 10));
    return `applied ${n}`;
  };
  const first = runner.latest(1, apply);
  await new Promise((resolve) => setTimeout(resolve, 1));
  const results = await Promise.all([first, ...[2, 3, 4].map((n) => runner.latest(n, apply))]);
  assertEquals(ran, [1, 4]);
  assertEquals(results, ["applied 1", "applied 4", "applied 4", "applied 4"]);
  await assertRejects(() => runner.latest(5, () => Promise.reject(new Error("boom"))), /boom/);
  assertEquals(await runner.latest(6, apply), "applied 6");
});
