import { assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { HOLDER_BIN_VARIABLE, holderBinaryPath } from "./holder_binary.ts";

Deno.test("holderBinaryPath: $AIKORE_HOLDER_BIN wins; a wrong one is named in the error", () => {
  assertEquals(holderBinaryPath({ [HOLDER_BIN_VARIABLE]: "/bin/sh" }), "/bin/sh");
  assertThrows(
    () => holderBinaryPath({ [HOLDER_BIN_VARIABLE]: "/nonexistent/aikore_holder" }),
    /AIKORE_HOLDER_BIN=\/nonexistent\/aikore_holder is not an executable file/,
  );
});

Deno.test("holderBinaryPath: without the variable it finds the source tree's build", async () => {
  const { buildNative } = await import("../../tools/build_native.ts");
  const { binary } = await buildNative();
  assertEquals(holderBinaryPath({}), binary);
});
