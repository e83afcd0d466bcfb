import { assertEquals } from "../../tests/helpers/assert.ts";
import { displayOrderOf, groupInstances, moveGroup, shiftGroup } from "./grouping.ts";

const item = (id: number, parent: number | null = null) => ({ id, parent_instance_id: parent });

Deno.test("groups follow the stored order; satellites follow their parent; orphans are roots", () => {
  const groups = groupInstances(
    [item(1), item(2), item(3, 1), item(4, 1), item(5, 99), item(6)],
    [2, 4, 1],
  );
  assertEquals(groups, [
    { rootId: 2, satelliteIds: [] },
    { rootId: 1, satelliteIds: [3, 4] },
    { rootId: 5, satelliteIds: [] },
    { rootId: 6, satelliteIds: [] },
  ]);
});

Deno.test("moving a group before/after another, and one step with the keyboard", () => {
  assertEquals(moveGroup([1, 2, 3], 3, 1, "before"), [3, 1, 2]);
  assertEquals(moveGroup([1, 2, 3], 1, 3, "after"), [2, 3, 1]);
  assertEquals(moveGroup([1, 2, 3], 2, 2, "after"), [1, 2, 3]);
  assertEquals(shiftGroup([1, 2, 3], 1, 1), [2, 1, 3]);
  assertEquals(shiftGroup([1, 2, 3], 1, -1), [1, 2, 3]);
  assertEquals(shiftGroup([1, 2, 3], 3, -1), [1, 3, 2]);
});

Deno.test("the stored order lists each root followed by its satellites", () => {
  const groups = [{ rootId: 1, satelliteIds: [3] }, { rootId: 2, satelliteIds: [] }];
  assertEquals(displayOrderOf([2, 1], groups), [2, 1, 3]);
});
