import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../../tests/helpers/assert.ts";
import { BlueprintCatalog } from "./blueprint_catalog.ts";
import {
  BlueprintError,
  BlueprintExistsError,
  BlueprintNotFoundError,
} from "./blueprint_errors.ts";

const meta = (name: string, category = "Other") =>
  `### AIKORE-METADATA-START ###\n# aikore.name = ${name}\n# aikore.category = ${category}\n### AIKORE-METADATA-END ###\necho ${name}\n`;

async function withCatalog(
  fn: (
    catalog: BlueprintCatalog,
    dirs: { stock: string; custom: string; root: string },
  ) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "aikore-catalog-" });
  const stock = join(root, "stock");
  const custom = join(root, "custom");
  await Deno.mkdir(stock);
  try {
    await fn(new BlueprintCatalog({ stockDir: stock, customDir: custom }), { stock, custom, root });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("list shows stock and custom *.sh sorted, with metadata or the parse error", async () => {
  await withCatalog(async (catalog, { stock, custom }) => {
    await Deno.writeTextFile(join(stock, "ComfyUI.sh"), meta("ComfyUI", "Image Generation"));
    await Deno.writeTextFile(join(stock, "broken.sh"), "### AIKORE-METADATA-START ###\n");
    await Deno.writeTextFile(join(stock, "README.md"), "not a blueprint");
    await Deno.writeTextFile(join(stock, "NoExtension"), meta("hidden"));
    await Deno.mkdir(join(stock, "dir.sh"));
    assertEquals((await catalog.list()).map((e) => e.file), ["broken.sh", "ComfyUI.sh"]);
    await Deno.mkdir(custom);
    await Deno.writeTextFile(join(custom, "ComfyUI.sh"), meta("My Comfy", "Mine"));
    await Deno.writeTextFile(join(custom, "a.sh"), meta("A"));
    const list = await catalog.list();
    assertEquals(
      list.map((e) => [e.file, e.source, e.metadata?.category ?? null, e.error !== null]),
      [
        ["a.sh", "custom", "Other", false],
        ["broken.sh", "stock", null, true],
        ["ComfyUI.sh", "stock", "Image Generation", false],
        ["ComfyUI.sh", "custom", "Mine", false],
      ],
    );
    assert(
      list[1]?.error?.includes("broken.sh, line 1: metadata block is never closed"),
      list[1]?.error ?? "",
    );
    assertEquals(list[2]?.path, join(stock, "ComfyUI.sh"));
  });
});

Deno.test("find prefers a custom blueprint over the stock one of the same name", async () => {
  await withCatalog(async (catalog, { stock, custom }) => {
    await Deno.writeTextFile(join(stock, "App.sh"), meta("Stock App"));
    assertEquals((await catalog.find("App.sh"))?.source, "stock");
    await Deno.mkdir(custom);
    await Deno.writeTextFile(join(custom, "App.sh"), meta("Custom App"));
    const found = await catalog.find("App.sh");
    assertEquals([found?.source, found?.metadata?.name], ["custom", "Custom App"]);
    assertEquals(await catalog.read("App.sh"), meta("Custom App"));
    assertEquals(await catalog.find("Missing.sh"), null);
    await assertRejects(() => catalog.read("Missing.sh"), /blueprint "Missing.sh" does not exist/);
    await catalog.read("Missing.sh").catch((e) => assert(e instanceof BlueprintNotFoundError));
  });
});

Deno.test("names that could escape the folders are refused before touching the disk", async () => {
  await withCatalog(async (catalog, { root }) => {
    await Deno.writeTextFile(join(root, "outside.sh"), meta("outside"));
    for (
      const name of ["../outside.sh", "/etc/passwd", "a/b.sh", "..sh", ".hidden.sh", "x.txt", ""]
    ) {
      await assertRejects(() => catalog.find(name), /invalid blueprint file name/);
      await assertRejects(() => catalog.saveCustom(name, meta("x")), /invalid blueprint file name/);
      await catalog.find(name).catch((e) => assert(e instanceof BlueprintError && e.line === null));
    }
    assertEquals((await catalog.list()).length, 0);
  });
});

Deno.test("saveCustom writes atomically, refuses to overwrite unless asked, and checks metadata", async () => {
  await withCatalog(async (catalog, { custom }) => {
    const saved = await catalog.saveCustom("Mine.sh", meta("Mine"));
    assertEquals([saved.source, saved.metadata?.name, saved.path], [
      "custom",
      "Mine",
      join(custom, "Mine.sh"),
    ]);
    assertEquals(await Deno.readTextFile(join(custom, "Mine.sh")), meta("Mine"));
    await assertRejects(() => catalog.saveCustom("Mine.sh", meta("Again")), /already exists/);
    await catalog.saveCustom("Mine.sh", meta("Again")).catch((e) =>
      assert(e instanceof BlueprintExistsError)
    );
    assertEquals(await Deno.readTextFile(join(custom, "Mine.sh")), meta("Mine"));
    await catalog.saveCustom("Mine.sh", meta("Again"), { overwrite: true });
    assertEquals(await Deno.readTextFile(join(custom, "Mine.sh")), meta("Again"));
    const bad =
      "### AIKORE-METADATA-START ###\n# aikore.proxy = nowhere\n### AIKORE-METADATA-END ###\n";
    await assertRejects(
      () => catalog.saveCustom("Bad.sh", bad),
      /Bad.sh, line 2: aikore.proxy must be one of/,
    );
    await assertRejects(() => catalog.saveCustom("Nul.sh", "echo \0"), /NUL byte/);
    const files = [];
    for await (const entry of Deno.readDir(custom)) files.push(entry.name);
    assertEquals(files.sort(), ["Mine.sh"]);
  });
});

Deno.test("concurrent create-only saves of one name: exactly one wins", async () => {
  await withCatalog(async (catalog, { custom }) => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => catalog.saveCustom("Race.sh", meta(`Racer ${i}`))),
    );
    assertEquals(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) {
      if (r.status === "rejected") {
        assert(r.reason instanceof BlueprintExistsError, String(r.reason));
      }
    }
    const winner = results.find((r) => r.status === "fulfilled");
    assert(winner?.status === "fulfilled");
    assertEquals(
      await Deno.readTextFile(join(custom, "Race.sh")),
      meta(winner.value.metadata?.name ?? ""),
    );
  });
});

Deno.test("the helper library beside the stock blueprints is not listed as a blueprint", async () => {
  const stockDir = new URL("../../blueprints", import.meta.url).pathname;
  const catalog = new BlueprintCatalog({ stockDir, customDir: "/nonexistent" });
  const files = (await catalog.list()).map((entry) => entry.file);
  assert(files.includes("empty.sh"));
  assert(!files.includes("functions.sh"));
  assertEquals(await catalog.find("functions.sh"), null);
});
