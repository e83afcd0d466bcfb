import { assertEquals } from "../../tests/helpers/assert.ts";
import type { DiskFolder } from "../../lib/shared/disk_usage.ts";
import { diskRows, measuredAgo, tookText } from "./disk_view.ts";

const folder = (name: string, bytes: number, folders: DiskFolder[] = []): DiskFolder => ({
  name,
  bytes,
  label: null,
  folders,
});

// 1000 bytes: instances 600 (comfy 600 = env 500 + 100 of its own files), models 200, 200 own.
const root = folder("", 1000, [
  folder("instances", 600, [folder("comfy", 600, [folder("env", 500)])]),
  folder("models", 200),
]);

const shown = (expanded: string[]) =>
  diskRows(root, new Set(expanded)).map((r) =>
    `${"  ".repeat(r.depth)}${r.name} ${r.bytes} ${r.share}${
      r.expandable ? (r.expanded ? " -" : " +") : ""
    }`
  );

Deno.test("diskRows: top level, then each expanded folder's own, with the files they leave", () => {
  assertEquals(shown([]), [
    "instances 600 0.6 +",
    "models 200 0.2",
    "files of the data folder 200 0.2",
  ]);
  assertEquals(shown(["instances", "instances/comfy"]), [
    "instances 600 0.6 -",
    "  comfy 600 0.6 -",
    "    env 500 0.5",
    "    files directly in it 100 0.1",
    "models 200 0.2",
    "files of the data folder 200 0.2",
  ]);
  // An expanded folder whose parent is closed stays hidden; a folder without subfolders never
  // counts as expanded.
  assertEquals(shown(["instances/comfy", "models"]).length, 3);
  const files = diskRows(root, new Set()).at(-1);
  assertEquals([files?.files, files?.path, files?.expandable], [true, "/", false]);
});

Deno.test("diskRows: no files line for a folder whose own files weigh next to nothing", () => {
  const tiny = folder("", 100_000, [folder("a", 99_995), folder("b", 1)]);
  assertEquals(diskRows(tiny, new Set()).map((r) => r.name), ["a", "b"]);
  assertEquals(diskRows(folder("", 0), new Set()), [], "an empty data folder has no lines");
});

Deno.test("measuredAgo", () => {
  const at = "2026-12-07T10:00:00.000Z";
  const t = Date.parse(at);
  assertEquals(measuredAgo(at, t + 30_000), "just now");
  assertEquals(measuredAgo(at, t - 5_000), "just now", "a clock a little behind");
  assertEquals(measuredAgo(at, t + 5 * 60_000), "5 min ago");
  assertEquals(measuredAgo(at, t + 3 * 3600_000), "3 h ago");
  assertEquals(measuredAgo(at, t + 3 * 86400_000), "3 days ago");
});

Deno.test("tookText", () => {
  assertEquals(tookText(40), "40 ms");
  assertEquals(tookText(2345), "2.3 s");
  assertEquals(tookText(190_000), "3 min 10 s");
});
