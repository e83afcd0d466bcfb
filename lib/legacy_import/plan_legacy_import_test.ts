import { assertEquals } from "../../tests/helpers/assert.ts";
import type { LegacyInstanceRow } from "./legacy_instance_row.ts";
import { sanitizeDisplayName, uniqueSlug } from "./legacy_names.ts";
import { planLegacyImport, type PlanOptions } from "./plan_legacy_import.ts";

const OPTIONS: PlanOptions = {
  acceptProposedSlugs: true,
  portRange: { start: 19001, end: 19020 },
  existingSlugs: new Set(),
  usedPorts: new Set(),
};

function row(id: number, name: string, extra: Partial<LegacyInstanceRow> = {}): LegacyInstanceRow {
  return {
    id,
    name,
    blueprint: "App.sh",
    gpuIds: null,
    autostart: false,
    persistentMode: false,
    hostname: null,
    useCustomHostname: false,
    outputPath: null,
    port: null,
    persistentPort: null,
    parentId: null,
    pythonVersion: null,
    cudaVersion: null,
    torchVersion: null,
    ...extra,
  };
}

Deno.test("names proposing the same slug get distinct slugs; valid names keep theirs", () => {
  const plan = planLegacyImport(
    [row(1, "My App"), row(2, "my app!"), row(3, "my-app"), row(4, "MY_APP")],
    OPTIONS,
  );
  assertEquals(plan.instances.map((p) => [p.oldId, p.config.slug, p.config.name]), [
    [1, "my-app-2", "My App"],
    [2, "my-app-3", "my app!"],
    [3, "my-app", "my-app"],
    [4, "my-app-4", "MY_APP"],
  ]);
});

Deno.test("without acceptProposedSlugs invalid names are skipped but still reserve nothing valid", () => {
  const plan = planLegacyImport([row(1, "Bad Name"), row(2, "good")], {
    ...OPTIONS,
    acceptProposedSlugs: false,
  });
  assertEquals(plan.instances.map((p) => p.config.slug), ["good"]);
  assertEquals(plan.invalid, [{
    oldId: 1,
    name: "Bad Name",
    field: "name",
    reason:
      `"Bad Name" cannot be a slug (must use only a-z, 0-9 and '-', and start and end with a letter or digit)`,
    proposedSlug: "bad-name",
    skipped: true,
  }]);
});

Deno.test("long and messy names become valid slugs and display names", () => {
  const long = "x".repeat(80);
  assertEquals(uniqueSlug("x".repeat(63), new Set(["x".repeat(63)])), "x".repeat(61) + "-2");
  assertEquals(sanitizeDisplayName(`  a\u0007b\u202e ${"y".repeat(80)}`).length, 64);
  // "\u0007" leaves nothing: the slug falls back to "instance" (reserved, so "instance-1").
  const plan = planLegacyImport([row(1, long), row(2, "\u0007")], OPTIONS);
  assertEquals(plan.instances.map((p) => [p.config.slug.length, p.config.name.length]), [
    [63, 64],
    ["instance-1".length, "instance-1".length],
  ]);
});

Deno.test("satellites come after parents and run their parent's blueprint", () => {
  const plan = planLegacyImport(
    [row(1, "sat", { parentId: 2, blueprint: "Other.sh" }), row(2, "parent")],
    OPTIONS,
  );
  assertEquals(plan.instances.map((p) => [p.oldId, p.parentOldId, p.config.blueprint]), [
    [2, null, "App.sh"],
    [1, 2, "App.sh"],
  ]);
  assertEquals(plan.warnings, [
    `"sat": satellite blueprint "Other.sh" replaced by its parent's "App.sh"`,
  ]);
});

Deno.test("ports: persistent rows publish persistent_port; taken and foreign ports are dropped", () => {
  const plan = planLegacyImport(
    [
      row(1, "a", { persistentMode: true, port: 40000, persistentPort: 19002 }),
      row(2, "b", { port: 19002 }),
      row(3, "c", { port: 19003 }),
      row(4, "d", { port: 80 }),
    ],
    { ...OPTIONS, usedPorts: new Set([19003]) },
  );
  assertEquals(plan.instances.map((p) => p.config.port), [19002, null, null, null]);
  assertEquals(plan.invalid.map((p) => [p.oldId, p.reason]), [
    [2, "port 19002 is already used by another instance; imported without a port"],
    [3, "port 19003 is already used by another instance; imported without a port"],
    [4, "port 80 must be in 1024-65535; imported without a port"],
  ]);
});

Deno.test("hostnames: URLs reduce to their host, junk is dropped with the toggle", () => {
  const plan = planLegacyImport(
    [
      row(1, "a", { hostname: "http://My.Host.example/app", useCustomHostname: true }),
      row(2, "b", { hostname: "bad host", useCustomHostname: true }),
      row(3, "c", { hostname: "  ", useCustomHostname: true }),
      row(4, "d", { hostname: "box.lan.", useCustomHostname: false }),
    ],
    OPTIONS,
  );
  assertEquals(plan.instances.map((p) => [p.config.hostname, p.config.useCustomHostname]), [
    ["my.host.example", true],
    [null, false],
    [null, false],
    ["box.lan", false],
  ]);
  assertEquals(plan.invalid.map((p) => [p.oldId, p.field, p.skipped]), [[2, "hostname", false]]);
});
