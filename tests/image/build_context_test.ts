import { assertEquals } from "../helpers/assert.ts";

const REPO = new URL("../../", import.meta.url).pathname;

Deno.test("the image's build context (.dockerignore whitelist) carries every program file at the root", () => {
  const allowed = new Set(
    Deno.readTextFileSync(`${REPO}.dockerignore`).split("\n")
      .filter((line) => line.startsWith("!"))
      .map((line) => line.slice(1).trim()),
  );
  const rootProgramFiles = [...Deno.readDirSync(REPO)]
    .filter((entry) =>
      entry.isFile && /\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)
    )
    .map((entry) => entry.name)
    .sort();
  assertEquals(rootProgramFiles.filter((name) => !allowed.has(name)), [], "left out of the image");
});
