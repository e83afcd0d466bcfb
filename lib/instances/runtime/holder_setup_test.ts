import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { chooseHolder } from "./holder_setup.ts";

Deno.test("chooseHolder: off, a wrong path and a real executable", async () => {
  const off = chooseHolder("off", "/data/run");
  assertEquals([off.setup, off.reason], [null, "AIKORE_HOLDER_BIN=off"]);
  const wrong = chooseHolder("/nonexistent/aikore_holder", "/data/run");
  assertEquals(wrong.setup, null);
  assert(wrong.reason?.includes("/nonexistent/aikore_holder"), wrong.reason ?? "");
  const dir = await Deno.makeTempDir({ prefix: "aikore-holder-bin-" });
  try {
    await Deno.writeTextFile(`${dir}/aikore_holder`, "#!/bin/sh\n", { mode: 0o755 });
    const found = chooseHolder(`${dir}/aikore_holder`, "/data/run");
    assertEquals(found, {
      setup: { binary: `${dir}/aikore_holder`, runtimeRoot: "/data/run" },
      reason: null,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
