import { assertEquals } from "../../tests/helpers/assert.ts";
import { isDirectory, readNumber, readText } from "./read_file.ts";

Deno.test("readText reads files larger than its buffer, and null for missing ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const big = "x".repeat(100_000) + "end";
    await Deno.writeTextFile(`${dir}/big`, big);
    await Deno.writeTextFile(`${dir}/n`, " 42\n");
    assertEquals(readText(`${dir}/big`), big);
    assertEquals(readText(`${dir}/missing`), null);
    assertEquals(readText(dir), null, "a directory is not a file");
    assertEquals([readNumber(`${dir}/n`), readNumber(`${dir}/big`), readNumber(`${dir}/missing`)], [
      42,
      null,
      null,
    ]);
    assertEquals([isDirectory(dir), isDirectory(`${dir}/n`)], [true, false]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readText reads procfs files, whose stat size is 0", () => {
  const stat = readText("/proc/self/stat") ?? "";
  assertEquals(stat.split(" ")[0], String(Deno.pid));
});
