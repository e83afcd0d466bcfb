import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { groupInstances } from "./grouping.ts";
import { matches, poolState, statusSummary, viewGroups } from "./table_view.ts";
import { testDto } from "./test_support.ts";

const DTOS = [
  testDto({ id: 1, name: "Comfy main", slug: "comfy", status: "started", port: 19001 }),
  testDto({
    id: 2,
    name: "Forge",
    slug: "forge",
    base_blueprint: "Forge.sh",
    status: "exited",
    port: 19002,
  }),
  testDto({
    id: 3,
    name: "Comfy sat",
    slug: "sat",
    parent_instance_id: 1,
    status: "stopped",
    port: 19003,
  }),
  testDto({
    id: 4,
    name: "Alpha",
    slug: "alpha",
    base_blueprint: "A.sh",
    status: "error",
    port: null,
  }),
];
const lookup = (id: number) => DTOS.find((d) => d.id === id);
const groups = groupInstances(DTOS, [1, 2, 3, 4]);
const roots = (query: string, sort: Parameters<typeof viewGroups>[3]) =>
  viewGroups(groups, lookup, query, sort).map((g) => g.rootId);

Deno.test("search matches every word in name, slug, blueprint or status", () => {
  const [comfy] = DTOS;
  assert(comfy);
  assertEquals(matches(comfy, "comfy started"), true);
  assertEquals(matches(comfy, "comfy exited"), false);
  assertEquals(roots("forge.sh", "order"), [2]);
  assertEquals(roots("sat", "order"), [1], "a matching satellite shows its group");
  assertEquals(roots("", "order"), [1, 2, 4]);
});

Deno.test("sorts by name, blueprint, or status with failures first", () => {
  assertEquals(roots("", "name"), [4, 1, 2]);
  assertEquals(roots("", "status"), [4, 2, 1]);
  assertEquals(roots("", "blueprint"), [4, 1, 2]);
});

Deno.test("the header counts running and failed; the pool counts ports in its range", () => {
  assertEquals(statusSummary(DTOS), { running: 1, failed: 2, total: 4 });
  assertEquals(poolState(DTOS, { start: 19001, end: 19003 }), { used: 3, size: 3, full: true });
  assertEquals(poolState(DTOS, { start: 19001, end: 19020 }), { used: 3, size: 20, full: false });
});
