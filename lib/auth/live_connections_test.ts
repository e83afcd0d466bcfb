import { assertEquals } from "../../tests/helpers/assert.ts";
import { LiveConnections } from "./live_connections.ts";

Deno.test("connections close by credential, by selection, and when the sweep finds them ended", () => {
  const live = new Set(["session:a", "session:b", "token:1"]);
  const registry = new LiveConnections((credential) => live.has(credential), 60_000);
  const closed: string[] = [];
  const forgetA = registry.add("session:a", () => closed.push("a1"));
  registry.add("session:a", () => closed.push("a2"));
  registry.add("session:b", () => closed.push("b"));
  registry.add("token:1", () => closed.push("t"));
  registry.add(undefined, () => closed.push("auth off: never tracked"));
  assertEquals(registry.size, 4);
  forgetA();
  registry.end("session:a");
  assertEquals(closed, ["a2"], "a forgotten connection is not closed again");
  live.delete("token:1");
  registry.sweep();
  assertEquals(closed, ["a2", "t"]);
  registry.endWhere((credential) => credential.startsWith("session:"));
  assertEquals(closed, ["a2", "t", "b"]);
  assertEquals(registry.size, 0);
  registry.close();
});

Deno.test("a closer that throws does not stop the others", () => {
  const errors: unknown[] = [];
  const registry = new LiveConnections(() => true, 60_000, (error) => errors.push(error));
  const closed: string[] = [];
  registry.add("session:x", () => {
    throw new Error("socket already gone");
  });
  registry.add("session:x", () => closed.push("second"));
  registry.end("session:x");
  assertEquals(closed, ["second"]);
  assertEquals(errors.length, 1);
  registry.close();
});
