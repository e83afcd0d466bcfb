/**
 * The shared models folder: listed with folder sizes, files downloaded, and one file, link or
 * empty folder deleted at a time (a link's target and a full folder are never touched), and
 * thumbnails of preview images.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";
import type { FolderListing } from "../../lib/shared/folder_listing.ts";
import { jpegFrame, rgbPng } from "../../lib/thumbnails/test_support.ts";

Deno.test("shared models: sizes, a download, and deletes that never reach past what was named", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  try {
    const root = h.services.paths.modelsRoot;
    assertEquals((await h.json("GET", "/api/system/models")).body.entries, [], "none yet");
    await Deno.mkdir(`${root}/checkpoints/sdxl`, { recursive: true });
    await Deno.mkdir(`${root}/loras`, { recursive: true });
    await Deno.mkdir(`${root}/vae`, { recursive: true });
    await Deno.writeFile(`${root}/checkpoints/sdxl/base.safetensors`, new Uint8Array(4096));
    await Deno.writeFile(`${root}/checkpoints/old.ckpt`, new Uint8Array(1024));
    await Deno.writeTextFile(`${outside}/keep.safetensors`, "KEEP");
    await Deno.symlink(`${outside}/keep.safetensors`, `${root}/loras/linked.safetensors`);

    const listing = (await h.json("GET", "/api/system/models")).body as FolderListing;
    const sizes = Object.fromEntries(listing.entries.map((e) => [e.name, e.size]));
    assertEquals(sizes, { checkpoints: 5120, loras: 0, vae: 0 });

    const download = await h.request("GET", "/api/system/models/file?path=checkpoints%2Fold.ckpt");
    assertEquals((await download.arrayBuffer()).byteLength, 1024);
    assertMatch(
      download.headers.get("content-disposition") ?? "",
      /^attachment; filename="old\.ckpt"/,
    );

    const del = (path: string) =>
      h.json("DELETE", `/api/system/models?path=${encodeURIComponent(path)}`);
    assertEquals((await del("checkpoints/old.ckpt")).status, 204);
    assertEquals((await del("loras/linked.safetensors")).status, 204, "the link itself");
    assertEquals(await Deno.readTextFile(`${outside}/keep.safetensors`), "KEEP", "not its target");
    const full = await del("checkpoints");
    assertEquals(full.status, 409);
    assertEquals(full.body.error.code, "folder_not_empty");
    assert(
      (await Deno.stat(`${root}/checkpoints/sdxl/base.safetensors`)).isFile,
      "nothing deleted",
    );
    assertEquals((await del("vae")).status, 204, "an empty folder");
    assertEquals((await del("vae")).status, 404);
    assertEquals((await del("")).status, 422);
    assertEquals((await del("../aikore.db")).status, 422);

    await Deno.symlink(outside, `${root}/elsewhere`);
    assertEquals((await del("elsewhere/keep.safetensors")).status, 409, "not through a link");
    assertEquals(await Deno.readTextFile(`${outside}/keep.safetensors`), "KEEP");

    const audit = h.services.audit.list({ limit: 10 }).map((e) => `${e.action} ${e.target}`);
    assert(audit.includes("model.delete checkpoints/old.ckpt"), audit.join(", "));
    assert(!audit.some((line) => line.includes("elsewhere")), "a refused delete is not audited");
  } finally {
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("shared models: a folder is made with its parents, never through a link or over a file", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  try {
    const root = h.services.paths.modelsRoot;
    const make = (body: unknown) => h.json("POST", "/api/system/models/folders", body);
    assertEquals((await make({ path: "loras/sdxl" })).status, 204);
    assert((await Deno.stat(`${root}/loras/sdxl`)).isDirectory, "made with its parent");
    assertEquals((await make({ path: "loras/sdxl" })).status, 204, "there already: fine");

    await Deno.writeTextFile(`${root}/loras/file.bin`, "x");
    const overFile = await make({ path: "loras/file.bin" });
    assertEquals(overFile.status, 409);
    assertEquals(await Deno.readTextFile(`${root}/loras/file.bin`), "x");

    await Deno.symlink(outside, `${root}/elsewhere`);
    assertEquals((await make({ path: "elsewhere/new" })).status, 409, "not through a link");
    assertEquals([...Deno.readDirSync(outside)], [], "nothing made outside");

    for (const path of ["", "../up", "/abs", "a//b"]) {
      const bad = await make({ path });
      assertEquals(bad.status, 422, path);
      assertEquals(bad.body.error.details[0].field, "path");
    }
    const audit = h.services.audit.list({ limit: 10 }).map((e) => `${e.action} ${e.target}`);
    assert(audit.includes("model.folder loras/sdxl"), audit.join(", "));
  } finally {
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("shared models: a preview image beside a model gets a thumbnail; a model file does not", async () => {
  const h = await startHarness();
  try {
    const root = h.services.paths.modelsRoot;
    await Deno.mkdir(`${root}/loras`, { recursive: true });
    await Deno.writeFile(`${root}/loras/style.safetensors`, new Uint8Array(2048));
    const preview = await rgbPng(768, 1024, (x, y) => [(x >> 2) & 255, (y >> 2) & 255, 90]);
    await Deno.writeFile(`${root}/loras/style.preview.png`, preview);

    const made = await h.request(
      "GET",
      "/api/system/models/thumbnail?path=loras%2Fstyle.preview.png",
    );
    assertEquals(made.status, 200);
    assertEquals(made.headers.get("x-aikore-thumbnail"), "made");
    assertEquals(jpegFrame(new Uint8Array(await made.arrayBuffer())), {
      width: 240,
      height: 320,
      components: 3,
    });
    const model = await h.json(
      "GET",
      "/api/system/models/thumbnail?path=loras%2Fstyle.safetensors",
    );
    assertEquals(model.status, 422);
    assertEquals(model.body.error.details[0].field, "path");
  } finally {
    await h.close();
  }
});
