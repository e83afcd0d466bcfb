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

Deno.test("build_native --optional (deno task start/test): without gcc it warns and lets AiKore start", async () => {
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", new URL("./build_native.ts", import.meta.url).pathname, ...args],
      clearEnv: true,
      env: { PATH: "/nonexistent", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  const optional = await run(["--force", "--optional"]);
  const said = new TextDecoder().decode(optional.stderr);
  assertEquals(optional.code, 0, said);
  assert(said.includes("gcc was not found"), said);
  assert(said.includes("instances and terminals will NOT survive a restart of AiKore"), said);
  assertEquals((await run(["--force"])).code, 1, "without --optional it is an error");
});
