import { assertEquals } from "../../tests/helpers/assert.ts";
import { STORAGE_KEYS } from "./storage.ts";
import { isTabList, isToolsView, ToolsState } from "./tools_state.ts";

Deno.test("remembered views and tabs are validated before use", () => {
  assertEquals(isToolsView({ kind: "console", id: 3 }), true);
  assertEquals(isToolsView({ kind: "terminals" }), true);
  assertEquals(isToolsView({ kind: "disk" }), true);
  assertEquals(isToolsView({ kind: "console" }), false);
  assertEquals(isToolsView({ kind: "console", id: "3" }), false);
  assertEquals(isToolsView({ kind: "javascript:alert(1)" }), false);
  assertEquals(isToolsView(null), false);
  const id = "3e848ad6-e7b7-4989-9329-25e938a9f7ca";
  assertEquals(isTabList([{ id, instanceId: 1 }]), true);
  assertEquals(isTabList([{ id: "../../etc", instanceId: 1 }]), false);
  assertEquals(isTabList({ id, instanceId: 1 }), false);
});

Deno.test("closing the active terminal tab activates the last remaining one", () => {
  const tools = new ToolsState();
  const a = { id: "aaaaaaaa-e7b7-4989-9329-25e938a9f7ca", instanceId: 1 };
  const b = { id: "bbbbbbbb-e7b7-4989-9329-25e938a9f7ca", instanceId: 2 };
  tools.addTerminal(a);
  tools.addTerminal(b);
  assertEquals([tools.activeTerminal.value, tools.view.value.kind], [b.id, "terminals"]);
  tools.removeTerminal(b.id);
  assertEquals(tools.activeTerminal.value, a.id);
  tools.open({ kind: "editor", id: 2 });
  tools.forgetInstance(2);
  assertEquals(tools.view.value, { kind: "welcome" });
  // The state is remembered in localStorage when the runtime has one; leave nothing behind.
  for (const key of Object.values(STORAGE_KEYS)) globalThis.localStorage?.removeItem(key);
});
