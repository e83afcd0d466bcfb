/**
 * The outputs browser's routes against a real output folder: listings (folders first, newest
 * first, links shown and never followed), files (images inline in a sandbox, anything else as
 * a download), thumbnails, and every refusal: links, pipes, bad paths, an output folder swapped
 * for a link.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { type Harness, startHarness } from "../../tests/helpers/harness.ts";
import { fifoRescuer, plantFifo, REFUSED_WITHIN_MS } from "../../tests/helpers/planted_fifo.ts";
import type { FolderListing } from "../../lib/shared/folder_listing.ts";
import { jpegFrame, rgbPng } from "../../lib/thumbnails/test_support.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0xff, 0xd9]);

/** An instance "painter" (not started: its output folder does not exist yet). */
async function painter(h: Harness): Promise<{ id: number; dir: string }> {
  const created = await h.json("POST", "/api/instances", {
    name: "painter",
    base_blueprint: "http_app.sh",
  });
  assertEquals(created.status, 201);
  return { id: created.body.id, dir: h.services.paths.outputDir(created.body.output_path) };
}

async function touch(path: string, content: string | Uint8Array, secondsAgo: number) {
  if (typeof content === "string") await Deno.writeTextFile(path, content);
  else await Deno.writeFile(path, content);
  const when = new Date(Date.now() - secondsAgo * 1000);
  await Deno.utime(path, when, when);
}

Deno.test("outputs: a folder is listed folders first, then newest first; links are shown, not followed", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  try {
    const { id, dir } = await painter(h);
    const before = await h.json("GET", `/api/instances/${id}/outputs`);
    assertEquals(before.status, 200, "no output folder before the first start: an empty one");
    assertEquals(before.body, {
      path: "",
      entries: [],
      total: 0,
      truncated: false,
      version: "empty",
    });

    await Deno.mkdir(`${dir}/2026-12-06`, { recursive: true });
    await touch(`${dir}/old.png`, PNG, 300);
    await touch(`${dir}/café 1.png`, PNG, 10);
    await touch(`${dir}/notes.txt`, "prompt: a cat\n", 100);
    await touch(`${dir}/2026-12-06/clip.webm`, "webm", 5);
    await Deno.writeTextFile(`${outside}/secret.txt`, "SECRET\n");
    await Deno.symlink(`${outside}/secret.txt`, `${dir}/link.png`);
    await Deno.symlink(outside, `${dir}/elsewhere`);

    const listed = await h.json("GET", `/api/instances/${id}/outputs`);
    assertEquals(listed.status, 200);
    const listing = listed.body as FolderListing;
    const shown = (kind: string) =>
      listing.entries.filter((e) => e.kind === kind).map((e) => `${e.name} ${e.preview}`);
    assertEquals(listing.entries[0]?.name, "2026-12-06", "folders first");
    assertEquals(shown("file"), ["café 1.png image", "notes.txt null", "old.png image"]);
    assertEquals(shown("link").sort(), ["elsewhere null", "link.png null"]);
    assertEquals(listing.total, 6);
    assertEquals(listing.truncated, false);
    const png = listing.entries.find((e) => e.name === "café 1.png");
    assertEquals(png?.size, PNG.length);
    assert(png?.modified && Date.now() - Date.parse(png.modified) < 60_000, "its time");

    const sub = await h.json("GET", `/api/instances/${id}/outputs?path=2026-12-06`);
    assertEquals(sub.body.entries.map((e: { name: string }) => e.name), ["clip.webm"]);
    assertEquals(sub.body.entries[0].preview, "video");

    const followed = await h.json("GET", `/api/instances/${id}/outputs?path=elsewhere`);
    assertEquals(followed.status, 409, "a linked folder is not entered");
    assertEquals(followed.body.error.code, "unsafe_path");
    for (const path of ["link.png", "elsewhere/secret.txt"]) {
      const refused = await h.request(
        "GET",
        `/api/instances/${id}/outputs/file?path=${encodeURIComponent(path)}`,
      );
      const text = await refused.text();
      assertEquals(refused.status, 409, `${path}: ${text}`);
      assert(!text.includes("SECRET"), `${path} leaked the link's target`);
    }
  } finally {
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("outputs: an image is sent inline in a sandbox, anything else as a download", async () => {
  const h = await startHarness();
  try {
    const { id, dir } = await painter(h);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(`${dir}/café 1.png`, PNG);
    await Deno.writeTextFile(`${dir}/page.html`, "<script>alert(document.cookie)</script>");
    await Deno.writeTextFile(`${dir}/drawing.svg`, "<svg onload='alert(1)'/>");
    const file = (path: string, extra = "") =>
      h.request(
        "GET",
        `/api/instances/${id}/outputs/file?path=${encodeURIComponent(path)}${extra}`,
      );

    const image = await file("café 1.png");
    assertEquals(image.status, 200);
    assertEquals(new Uint8Array(await image.arrayBuffer()), PNG);
    assertEquals(image.headers.get("content-type"), "image/png");
    assertEquals(image.headers.get("x-content-type-options"), "nosniff");
    assertMatch(
      image.headers.get("content-disposition") ?? "",
      /^inline; .*filename\*=UTF-8''caf%C3%A9%201\.png$/,
    );
    assertMatch(image.headers.get("content-security-policy") ?? "", /default-src 'none'.*sandbox/);
    assertEquals(image.headers.get("cache-control"), "no-store");

    for (const path of ["page.html", "drawing.svg"]) {
      const download = await file(path);
      await download.body?.cancel();
      assertEquals(download.status, 200);
      assertEquals(download.headers.get("content-type"), "application/octet-stream", path);
      assertMatch(download.headers.get("content-disposition") ?? "", /^attachment; /);
      assertMatch(download.headers.get("content-security-policy") ?? "", /sandbox/);
    }
    const forced = await file("café 1.png", "&download=1");
    await forced.body?.cancel();
    assertMatch(forced.headers.get("content-disposition") ?? "", /^attachment; /);
    assertEquals(forced.headers.get("content-type"), "application/octet-stream");
  } finally {
    await h.close();
  }
});

Deno.test("outputs: bad paths are 422s naming the field; missing is 404; a pipe is refused at once", async () => {
  const h = await startHarness();
  try {
    const { id, dir } = await painter(h);
    await Deno.mkdir(`${dir}/sub`, { recursive: true });
    for (const bad of ["../painter", "/etc", "sub/../..", "a//b", "x\0y", "é".repeat(200)]) {
      for (const route of ["outputs", "outputs/file"]) {
        const refused = await h.json(
          "GET",
          `/api/instances/${id}/${route}?path=${encodeURIComponent(bad)}`,
        );
        assertEquals(refused.status, 422, `${route} ${JSON.stringify(bad)}`);
        assertEquals(refused.body.error.details[0].field, "path");
      }
    }
    const noName = await h.json("GET", `/api/instances/${id}/outputs/file`);
    assertEquals(noName.status, 422);
    assertEquals((await h.json("GET", `/api/instances/${id}/outputs?path=nope`)).status, 404);
    assertEquals((await h.json("GET", `/api/instances/${id}/outputs/file?path=nope`)).status, 404);
    const folderAsFile = await h.json("GET", `/api/instances/${id}/outputs/file?path=sub`);
    assertEquals(folderAsFile.status, 409, "a folder is not sent as a file");
    assertEquals((await h.json("GET", `/api/instances/999/outputs`)).status, 404);

    await plantFifo(`${dir}/pipe.png`);
    const rescuer = fifoRescuer(`${dir}/pipe.png`);
    try {
      const started = performance.now();
      const piped = await h.json("GET", `/api/instances/${id}/outputs/file?path=pipe.png`);
      const ms = performance.now() - started;
      assertEquals(piped.status, 409);
      assert(ms < REFUSED_WITHIN_MS, `answered after ${Math.round(ms)} ms`);
      const listed = await h.json("GET", `/api/instances/${id}/outputs`);
      assertEquals(
        listed.body.entries.find((e: { name: string }) => e.name === "pipe.png")?.kind,
        "other",
      );
    } finally {
      rescuer.kill("SIGKILL");
      await rescuer.status;
    }
  } finally {
    await h.close();
  }
});

Deno.test("outputs: an output folder swapped for a link is refused, not followed", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  try {
    const { id, dir } = await painter(h);
    await Deno.mkdir(h.services.paths.outputsRoot, { recursive: true });
    await Deno.writeTextFile(`${outside}/secret.png`, "SECRET");
    await Deno.symlink(outside, dir);
    const listed = await h.json("GET", `/api/instances/${id}/outputs`);
    assertEquals(listed.status, 409);
    const file = await h.request("GET", `/api/instances/${id}/outputs/file?path=secret.png`);
    const text = await file.text();
    assertEquals(file.status, 409);
    assert(!text.includes("SECRET"));
  } finally {
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("outputs: one byte range is a 206 (a video can be sought); past the end is a 416", async () => {
  const h = await startHarness();
  try {
    const { id, dir } = await painter(h);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/clip.mp4`, "0123456789");
    const get = (range?: string) =>
      h.request(
        "GET",
        `/api/instances/${id}/outputs/file?path=clip.mp4`,
        undefined,
        range ? { range } : {},
      );
    const cases: Array<[string | undefined, number, string | null, string]> = [
      [undefined, 200, null, "0123456789"],
      ["bytes=2-5", 206, "bytes 2-5/10", "2345"],
      ["bytes=7-", 206, "bytes 7-9/10", "789"],
      ["bytes=-3", 206, "bytes 7-9/10", "789"],
      ["bytes=8-99", 206, "bytes 8-9/10", "89"],
      ["bytes=10-", 416, "bytes */10", ""],
      ["bytes=0-1,4-5", 200, null, "0123456789"], // several ranges: the whole file
    ];
    for (const [range, status, contentRange, body] of cases) {
      const response = await get(range);
      assertEquals(response.status, status, String(range));
      assertEquals(response.headers.get("content-range"), contentRange, String(range));
      assertEquals(response.headers.get("accept-ranges"), "bytes");
      assertEquals(await response.text(), body, String(range));
    }
  } finally {
    await h.close();
  }
});

Deno.test("outputs: a listing asked to wait answers when a file appears; a stale version answers at once", async () => {
  const h = await startHarness();
  try {
    const { id, dir } = await painter(h);
    await Deno.mkdir(dir, { recursive: true });
    const base = `/api/instances/${id}/outputs`;
    const first = (await h.json("GET", base)).body as FolderListing;
    assertEquals(first.entries, []);

    const started = performance.now();
    const stale = await h.json("GET", `${base}?since=0-0&wait=30`);
    assert(performance.now() - started < 5_000, "a version the client does not have: at once");
    assertEquals(stale.body.version, first.version);

    const waiting = h.json("GET", `${base}?since=${first.version}&wait=30`);
    for (let i = 0; i < 500 && h.services.outputs.watchedFolders === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10)); // until the request watches
    }
    assertEquals(h.services.outputs.watchedFolders, 1);
    const wrote = performance.now();
    await Deno.writeFile(`${dir}/new.png`, PNG);
    const answer = await waiting;
    assert(performance.now() - wrote < 10_000, "woken by the write, not by the 30 s limit");
    assertEquals(answer.body.entries.map((e: { name: string }) => e.name), ["new.png"]);
    assert(answer.body.version !== first.version);
    assertEquals(h.services.outputs.watchedFolders, 0, "the watch goes with its last reader");

    for (const bad of ["since=x&wait=31", "since=x&wait=-1", "since=%2F%2F&wait=5"]) {
      const refused = await h.json("GET", `${base}?${bad}`);
      assertEquals(refused.status, 422, bad);
    }
  } finally {
    await h.close();
  }
});

Deno.test("outputs: a PNG's thumbnail is a small JPEG, kept and reused; anything else is sent as it is", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  try {
    const { id, dir } = await painter(h);
    await Deno.mkdir(`${dir}/day 1`, { recursive: true });
    // A smooth picture with a fine grain, as generated pictures have (a PNG of about 1.5 MB).
    const png = await rgbPng(1200, 800, (x, y) => {
      const grain = Math.imul(x * 7919 + y, 0x9e3779b1) >>> 28;
      return [(x >> 3) + grain, (y >> 2) + grain, 128 + grain];
    });
    await Deno.writeFile(`${dir}/day 1/big.png`, png);
    await Deno.writeFile(`${dir}/photo.jpg`, JPEG);
    await Deno.writeFile(`${dir}/clip.webm`, new Uint8Array([0x1a, 0x45, 0xdf, 0xa3]));
    await Deno.writeFile(`${outside}/secret.png`, png);
    await Deno.symlink(`${outside}/secret.png`, `${dir}/link.png`);
    const thumbnail = (path: string) =>
      h.request("GET", `/api/instances/${id}/outputs/thumbnail?path=${encodeURIComponent(path)}`);

    const made = await thumbnail("day 1/big.png");
    assertEquals(made.status, 200);
    assertEquals(made.headers.get("content-type"), "image/jpeg");
    assertEquals(made.headers.get("x-aikore-thumbnail"), "made");
    assertMatch(made.headers.get("content-security-policy") ?? "", /sandbox/);
    assertEquals(made.headers.get("cache-control"), "no-store");
    const jpeg = new Uint8Array(await made.arrayBuffer());
    assertEquals(jpegFrame(jpeg), { width: 320, height: 213, components: 3 });
    assert(jpeg.length * 20 < png.length, `${jpeg.length} bytes for a ${png.length}-byte PNG`);

    const again = await thumbnail("day 1/big.png");
    assertEquals(again.headers.get("x-aikore-thumbnail"), "cache");
    assertEquals(new Uint8Array(await again.arrayBuffer()), jpeg);
    const cached = [...Deno.readDirSync(`${h.dataDir}/cache/thumbnails`)];
    assertEquals(cached.length, 1, "kept in <data>/cache/thumbnails");

    // Not a PNG: the image itself, whole, as the file route sends it.
    const original = await thumbnail("photo.jpg");
    assertEquals(original.status, 200);
    assertEquals(original.headers.get("x-aikore-thumbnail"), "original");
    assertEquals(original.headers.get("content-type"), "image/jpeg");
    assertEquals(new Uint8Array(await original.arrayBuffer()), JPEG);
    // A PNG that cannot be read (the tiny fake one): also the file itself, from its first byte.
    await Deno.writeFile(`${dir}/fake.png`, PNG);
    const fake = await thumbnail("fake.png");
    assertEquals(fake.headers.get("x-aikore-thumbnail"), "original");
    assertEquals(new Uint8Array(await fake.arrayBuffer()), PNG);

    const refusals: [string, number, string][] = [
      ["clip.webm", 422, "path"],
      ["", 422, "path"],
      ["../x.png", 422, "path"],
      ["missing.png", 404, ""],
      ["link.png", 409, ""],
    ];
    for (const [path, status, field] of refusals) {
      const refused = await thumbnail(path);
      const body = await refused.json();
      assertEquals(refused.status, status, `${path}: ${JSON.stringify(body)}`);
      if (field) assertEquals(body.error.details?.[0]?.field, field, path);
    }
    assertEquals(
      [...Deno.readDirSync(`${h.dataDir}/cache/thumbnails`)].length,
      1,
      "nothing else kept",
    );
  } finally {
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});
