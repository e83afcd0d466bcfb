import { assertEquals } from "../../tests/helpers/assert.ts";
import type { FolderEntry } from "../../lib/shared/folder_listing.ts";
import { previewOf } from "./model_preview.ts";

const file = (name: string, preview: FolderEntry["preview"] = null): FolderEntry => ({
  name,
  kind: "file",
  size: 1,
  size_complete: true,
  modified: null,
  preview,
});

Deno.test("model preview: NAME.preview.png first, then NAME.png/.jpg/.webp; never for an image or a folder", () => {
  const entries = [
    file("style.safetensors"),
    file("style.preview.png", "image"),
    file("style.png", "image"),
    file("base.ckpt"),
    file("base.jpg", "image"),
    file("lonely.safetensors"),
    file("notes.txt"),
    file("notes.preview.txt"),
    { ...file("folder"), kind: "folder" as const },
    file("folder.png", "image"),
  ];
  const byName = new Map(entries.map((e) => [e.name, e]));
  const preview = (name: string) =>
    previewOf(byName.get(name) as FolderEntry, byName)?.name ?? null;
  assertEquals(preview("style.safetensors"), "style.preview.png");
  assertEquals(preview("base.ckpt"), "base.jpg");
  assertEquals(preview("lonely.safetensors"), null);
  assertEquals(preview("notes.txt"), null, "a preview must be an image");
  assertEquals(preview("style.png"), null, "an image is its own thumbnail");
  assertEquals(preview("folder"), null);
});
