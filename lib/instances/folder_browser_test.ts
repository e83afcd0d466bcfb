import { assertEquals } from "../../tests/helpers/assert.ts";
import { FolderBrowser } from "./folder_browser.ts";

const SHOWN = { base: "many", label: "the outputs of many" };

Deno.test("a listing of more files than it shows keeps the newest and says it is cut", async () => {
  const root = await Deno.makeTempDir({ prefix: "aikore-browse-" });
  try {
    const dir = `${root}/many`;
    await Deno.mkdir(dir, { recursive: true });
    for (let i = 0; i < 6; i++) {
      await Deno.writeTextFile(`${dir}/img-${i}.png`, "x");
      const when = new Date(Date.UTC(2026, 11, 1 + i));
      await Deno.utime(`${dir}/img-${i}.png`, when, when);
    }
    const limits = (examined: number, listed: number) => ({ examined, listed, sized: 100 });
    const shown = await new FolderBrowser(root, limits(100, 3)).list(SHOWN, "");
    assertEquals(shown.entries.map((e) => e.name), ["img-5.png", "img-4.png", "img-3.png"]);
    assertEquals([shown.total, shown.truncated], [6, true]);
    const examined = await new FolderBrowser(root, limits(4, 10)).list(SHOWN, "");
    assertEquals([examined.entries.length, examined.total, examined.truncated], [4, 4, true]);
    const all = await new FolderBrowser(root).list(SHOWN, "");
    assertEquals([all.entries.length, all.total, all.truncated], [6, 6, false]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a folder's size is everything under it; past the counting budget it says 'at least'", async () => {
  const root = await Deno.makeTempDir({ prefix: "aikore-browse-" });
  const outside = await Deno.makeTempDir({ prefix: "aikore-browse-out-" });
  try {
    await Deno.mkdir(`${root}/loras/style`, { recursive: true });
    await Deno.writeFile(`${root}/loras/a.safetensors`, new Uint8Array(1000));
    await Deno.writeFile(`${root}/loras/style/b.safetensors`, new Uint8Array(234));
    await Deno.writeFile(`${outside}/huge.bin`, new Uint8Array(50_000));
    await Deno.symlink(outside, `${root}/loras/elsewhere`); // counted as an entry, not followed
    const models = { base: "", label: "the shared models" };
    const listing = await new FolderBrowser(root).list(models, "");
    assertEquals(listing.entries.map((e) => [e.name, e.size, e.size_complete]), [
      ["loras", 1234, true],
    ]);
    const tight = new FolderBrowser(root, { examined: 100, listed: 100, sized: 2 });
    const cut = (await tight.list(models, "")).entries[0];
    assertEquals(cut?.size_complete, false);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("a folder's size is counted again only after 5 s: a view asking each second does not walk it each time", async () => {
  const root = await Deno.makeTempDir({ prefix: "aikore-browse-" });
  try {
    await Deno.mkdir(`${root}/renders`, { recursive: true });
    await Deno.writeFile(`${root}/renders/1.png`, new Uint8Array(100));
    let now = 0;
    const browser = new FolderBrowser(root, undefined, 16, () => now);
    const shown = { base: "", label: "the outputs" };
    const size = async () => (await browser.list(shown, "")).entries[0]?.size;
    assertEquals(await size(), 100);
    await Deno.writeFile(`${root}/renders/2.png`, new Uint8Array(50));
    now = 4_999;
    assertEquals(await size(), 100, "the count of 0 s is reused");
    now = 5_000;
    assertEquals(await size(), 150, "counted again");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
