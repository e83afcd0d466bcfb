import { assertEquals } from "../../tests/helpers/assert.ts";
import {
  changesOf,
  describeValue,
  dirtyFields,
  needsRestart,
  normalizeGpuIds,
  pruneDraft,
  shownValue,
  updateBodyOf,
} from "./editable.ts";
import { testDto } from "./test_support.ts";

Deno.test("GPU lists compare as sets: order, spaces and blanks do not make a row dirty", () => {
  assertEquals(normalizeGpuIds(" 1, 0,,1"), "0,1");
  assertEquals(normalizeGpuIds(null), "all", "the server's null means every GPU");
  assertEquals(normalizeGpuIds("none"), "none");
  assertEquals(describeValue("gpu_ids", "none"), "CPU only");
  assertEquals(describeValue("gpu_ids", "all"), "all GPUs");
  assertEquals(normalizeGpuIds("10,2"), "2,10");
  assertEquals(dirtyFields(testDto({ gpu_ids: "0,1" }), { gpu_ids: "1,0" }), []);
});

Deno.test("a row shows the draft over the server values; untouched fields follow the server", () => {
  const draft = { name: "typed" };
  assertEquals(shownValue(testDto(), draft, "name"), "typed");
  assertEquals(shownValue(testDto({ autostart: true }), draft, "autostart"), true);
  assertEquals(shownValue(testDto({ hostname: null }), {}, "hostname"), "");
});

Deno.test("satellites never count inherited fields as edits", () => {
  const satellite = testDto({ parent_instance_id: 7 });
  assertEquals(dirtyFields(satellite, { base_blueprint: "Other.sh", name: "x" }), ["name"]);
});

Deno.test("pruning drops fields that now equal the server and keeps real edits", () => {
  const dto = testDto({ name: "renamed", port: 19002 });
  assertEquals(pruneDraft(dto, { name: "renamed", port: 19003 }), { port: 19003 });
});

Deno.test("restart is needed only for a running instance and restart fields", () => {
  const running = testDto({ status: "started" });
  assertEquals(needsRestart(running, { autostart: true, hostname: "a.lan" }), false);
  assertEquals(needsRestart(running, { gpu_ids: "0,1" }), true);
  assertEquals(needsRestart(testDto({ status: "stopped" }), { gpu_ids: "0,1" }), false);
  assertEquals(needsRestart(testDto({ status: "exited" }), { port: 19005 }), false);
});

Deno.test("the change list says old → new with readable values", () => {
  const changes = changesOf(testDto({ gpu_ids: null, port: 19001 }), {
    gpu_ids: "1",
    port: null,
    autostart: true,
  });
  assertEquals(changes.map((c) => `${c.label}: ${c.from} → ${c.to} ${c.needsRestart}`), [
    "GPUs: all GPUs → GPU 1 true",
    "Autostart: off → on false",
    "Port: 19001 → auto true",
  ]);
});

Deno.test("the update body has only changed fields, and confirms restart and script replace", () => {
  const running = testDto({ status: "started" });
  assertEquals(updateBodyOf(running, { name: "comfy", hostname: "", use_custom_hostname: true }), {
    use_custom_hostname: true,
  });
  assertEquals(updateBodyOf(running, { gpu_ids: "1, 0", base_blueprint: "Forge.sh" }), {
    base_blueprint: "Forge.sh",
    gpu_ids: "0,1",
    restart: true,
    replace_script: true,
  });
  assertEquals(updateBodyOf(testDto({ hostname: "a.lan" }), { hostname: "" }), {
    hostname: null,
  });
});

Deno.test("idle stop: typed minutes over the server's policy; off, 0 and spaces are no edit", () => {
  const off = testDto({ idle_stop_minutes: null });
  assertEquals(shownValue(off, {}, "idle_stop_minutes"), "");
  assertEquals(shownValue(testDto({ idle_stop_minutes: 30 }), {}, "idle_stop_minutes"), "30");
  assertEquals(dirtyFields(off, { idle_stop_minutes: "0" }), [], "0 is off, like the server");
  assertEquals(dirtyFields(testDto({ idle_stop_minutes: 30 }), { idle_stop_minutes: " 30" }), []);
  assertEquals(dirtyFields(off, { idle_stop_minutes: "15" }), ["idle_stop_minutes"]);
  assertEquals(
    changesOf(testDto({ idle_stop_minutes: 30 }), { idle_stop_minutes: "" })
      .map((c) => `${c.label}: ${c.from} → ${c.to}`),
    ["Idle stop: 30 min → off"],
  );
  assertEquals(updateBodyOf(off, { idle_stop_minutes: "15" }), { idle_stop_minutes: 15 });
  assertEquals(updateBodyOf(testDto({ idle_stop_minutes: 30 }), { idle_stop_minutes: "" }), {
    idle_stop_minutes: null,
  });
  // A running instance takes a new policy as it runs (the watcher reads it at each look).
  assertEquals(updateBodyOf(testDto({ status: "started" }), { idle_stop_minutes: "5" }), {
    idle_stop_minutes: 5,
  });
  // A bad value is sent as typed so that the server refuses it; it never reads as "off".
  assertEquals(updateBodyOf(off, { idle_stop_minutes: "-5" }), { idle_stop_minutes: -5 });
  assertEquals(updateBodyOf(off, { idle_stop_minutes: "5m" }), { idle_stop_minutes: "5m" });
  assertEquals(dirtyFields(testDto({ parent_instance_id: 7 }), { idle_stop_minutes: "5" }), []);
});
