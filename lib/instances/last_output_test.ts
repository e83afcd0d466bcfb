import { assertEquals } from "../../tests/helpers/assert.ts";
import { lastLines, readLastOutput } from "./last_output.ts";

Deno.test("last lines drop colours, blank lines and progress redraws", () => {
  const text = "a\n\n\u001b[31mERROR: CUDA out of memory\u001b[0m\r\n" +
    "10%\r50%\r100%\nlast\n";
  assertEquals(lastLines(text, 8), ["a", "ERROR: CUDA out of memory", "100%", "last"]);
  assertEquals(lastLines(text, 2), ["100%", "last"]);
});

Deno.test("the tail of a real log file, re-read when it grows, null when missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/output.log`;
    const filler = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join("\n");
    await Deno.writeTextFile(path, `${filler}\nERROR: could not resolve host\n`);
    assertEquals(readLastOutput(path)?.slice(-2), ["line 1999", "ERROR: could not resolve host"]);
    assertEquals(readLastOutput(path)?.length, 8);
    await Deno.writeTextFile(path, "exit 3\n", { append: true });
    assertEquals(readLastOutput(path)?.at(-1), "exit 3");
    assertEquals(readLastOutput(`${dir}/missing.log`), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
