import { assert, assertEquals, assertRejects } from "../tests/helpers/assert.ts";
import { buildNative, CFLAGS } from "./build_native.ts";

Deno.test("build_native: the holder compiles without a warning under -Wall -Wextra -O2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-native-" });
  try {
    const build = await buildNative({ force: true, binary: `${dir}/aikore_holder` });
    assertEquals(build.warnings, "", "gcc printed warnings");
    assert(build.built && Deno.statSync(build.binary).isFile);
    assert(["-Wall", "-Wextra", "-O2"].every((flag) => CFLAGS.includes(flag)));
    const again = await buildNative({ binary: `${dir}/aikore_holder` });
    assertEquals(again.built, false, "an up-to-date binary is not rebuilt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build_native: without gcc it says how to get it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-native-" });
  try {
    await assertRejects(
      () => buildNative({ compiler: "gcc-missing-on-purpose", binary: `${dir}/aikore_holder` }),
      /gcc was not found.*apt-get install gcc libc6-dev.*AIKORE_HOLDER_BIN/s,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
