import { assertEquals } from "../../tests/helpers/assert.ts";
import { concatBytes } from "./bytes.ts";

Deno.test("concatBytes joins parts in order", () => {
  const a = new Uint8Array([1, 2]);
  assertEquals([...concatBytes([a, new Uint8Array(), new Uint8Array([3])])], [1, 2, 3]);
  assertEquals(concatBytes([a]), a, "one part is returned as it is");
  assertEquals(concatBytes([]).length, 0);
});
