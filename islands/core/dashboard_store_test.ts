import { effect } from "@preact/signals";
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { DashboardStore } from "./dashboard_store.ts";
import { testDto } from "./test_support.ts";

const SYSTEM = {
  gpus: [],
  gpu_telemetry: { available: false, reason: "none" },
  port_range: { start: 19001, end: 19010 },
};

function rowOf(s: DashboardStore, id: number) {
  const row = s.row(id);
  assert(row, `no row ${id}`);
  return row;
}

function store(...dtos: ReturnType<typeof testDto>[]) {
  return new DashboardStore(dtos, dtos.map((d) => d.id), { stock: [], custom: [] }, SYSTEM);
}

Deno.test("an instance event updates the server copy and never the draft", () => {
  const s = store(testDto({ id: 1, name: "a" }));
  const row = s.row(1);
  assert(row);
  row.draft.value = { name: "being typed" };
  s.applyInstance(testDto({ id: 1, name: "a", status: "started", updated_at: "later" }));
  assertEquals(row.dto.value.status, "started");
  assertEquals(row.draft.value, { name: "being typed" });
  assertEquals(s.dirtyRows.value.length, 1);
});

Deno.test("an event re-renders only its own row", () => {
  const s = store(testDto({ id: 1 }), testDto({ id: 2, slug: "b" }));
  let renders = 0;
  const stop = effect(() => {
    s.row(2)?.dto.value;
    renders++;
  });
  s.applyInstance(testDto({ id: 1, status: "started", updated_at: "later" }));
  s.applyInstance(testDto({ id: 1, status: "started", updated_at: "later" }));
  stop();
  assertEquals(renders, 1);
});

Deno.test("a snapshot keeps drafts, adds and removes rows, and reports lost edits", () => {
  const s = store(testDto({ id: 1 }), testDto({ id: 2, name: "gone" }));
  const lost: string[] = [];
  s.onDraftLost = (name) => lost.push(name);
  rowOf(s, 1).draft.value = { autostart: true };
  rowOf(s, 2).draft.value = { output_path: "x" };
  s.applySnapshot([testDto({ id: 1 }), testDto({ id: 3, slug: "c" })], [3, 1]);
  assertEquals([...s.rows.value.keys()], [1, 3]);
  assertEquals(s.row(1)?.draft.value, { autostart: true });
  assertEquals(lost, ["gone"]);
  assertEquals(s.groups.value.map((g) => g.rootId), [3, 1]);
});

Deno.test("a server value equal to the draft ends the edit", () => {
  const s = store(testDto({ id: 1, port: 19001 }));
  rowOf(s, 1).draft.value = { port: 19004, name: "x" };
  s.applyInstance(testDto({ id: 1, port: 19004, updated_at: "later" }));
  assertEquals(s.row(1)?.draft.value, { name: "x" });
});

Deno.test("port holders change only when a port changes", () => {
  const s = store(testDto({ id: 1, port: 19001 }), testDto({ id: 2, port: null }));
  let runs = 0;
  const stop = effect(() => {
    s.portHolders.value;
    runs++;
  });
  s.applyInstance(testDto({ id: 1, port: 19001, status: "started", updated_at: "t2" }));
  s.applyInstance(testDto({ id: 2, port: 19002, updated_at: "t2" }));
  stop();
  assertEquals(runs, 2);
  assertEquals(s.portHolders.value, "1:19001,2:19002");
});

Deno.test("an API answer older than a streamed event of its row is not applied", () => {
  const s = store(testDto({ id: 1, name: "src" }));
  const mark = s.mark();
  // The clone's row streams in and finishes before the POST answer ("installing") arrives.
  s.applyInstance(testDto({ id: 2, slug: "copy", name: "copy", status: "installing" }));
  s.applyInstance(testDto({ id: 2, slug: "copy", name: "copy", status: "stopped" }));
  s.applyResponse(testDto({ id: 2, slug: "copy", name: "copy", status: "installing" }), mark);
  assertEquals(rowOf(s, 2).dto.value.status, "stopped");
  // With no newer event, the answer is applied (and a new row appears at once).
  const later = s.mark();
  s.applyResponse(testDto({ id: 3, slug: "c", name: "c", status: "installing" }), later);
  assertEquals(rowOf(s, 3).dto.value.status, "installing");
});

Deno.test("a resync snapshot says what changed", () => {
  const s = store(
    testDto({ id: 1, name: "web", status: "started" }),
    testDto({ id: 2, name: "old" }),
  );
  const changes = s.applySnapshot([
    testDto({ id: 1, name: "web", status: "stopped" }),
    testDto({ id: 3, name: "new", slug: "new" }),
  ], [1, 3]);
  assertEquals(changes, ['"web" started → stopped', '"new" appeared', '"old" is gone']);
  assertEquals(s.applySnapshot([testDto({ id: 1, name: "web", status: "stopped" })], [1]), [
    '"new" is gone',
  ]);
});
