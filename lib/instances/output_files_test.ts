import { assertEquals } from "../../tests/helpers/assert.ts";
import type { InstanceRecord } from "../db/mod.ts";
import { InstancePaths } from "./instance_paths.ts";
import { OutputFiles } from "./output_files.ts";

Deno.test("a listing of more files than it shows keeps the newest and says it is cut", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-outputs-" });
  try {
    const paths = new InstancePaths(dataDir);
    const record = { name: "many", outputPath: "many" } as InstanceRecord;
    const dir = paths.outputDir(record.outputPath);
    await Deno.mkdir(dir, { recursive: true });
    for (let i = 0; i < 6; i++) {
      await Deno.writeTextFile(`${dir}/img-${i}.png`, "x");
      const when = new Date(Date.UTC(2026, 11, 1 + i));
      await Deno.utime(`${dir}/img-${i}.png`, when, when);
    }
    const shown = await new OutputFiles(paths, { examined: 100, listed: 3 }).list(record, "");
    assertEquals(shown.entries.map((e) => e.name), ["img-5.png", "img-4.png", "img-3.png"]);
    assertEquals([shown.total, shown.truncated], [6, true]);
    const examined = await new OutputFiles(paths, { examined: 4, listed: 10 }).list(record, "");
    assertEquals([examined.entries.length, examined.total, examined.truncated], [4, 4, true]);
    const all = await new OutputFiles(paths).list(record, "");
    assertEquals([all.entries.length, all.total, all.truncated], [6, 6, false]);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
