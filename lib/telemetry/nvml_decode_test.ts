import { assertEquals } from "../../tests/helpers/assert.ts";
import { decodeCString, decodeMemory, decodeProcesses, milliwattsToWatts } from "./nvml_decode.ts";

function u64s(values: bigint[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigUint64(i * 8, v, true));
  return bytes;
}

Deno.test("decodeCString stops at the first NUL and accepts a full buffer", () => {
  assertEquals(decodeCString(new TextEncoder().encode("H100\0junk")), "H100");
  assertEquals(decodeCString(new TextEncoder().encode("no-nul")), "no-nul");
});

Deno.test("decodeMemory reads v1 {total, free, used} and v2 {version, total, reserved, free, used}", () => {
  assertEquals(decodeMemory(u64s([100n, 30n, 70n]), false), { total: 100, free: 30, used: 70 });
  assertEquals(decodeMemory(u64s([0x02000028n, 100n, 5n, 25n, 70n]), true), {
    total: 100,
    free: 25,
    used: 70,
  });
});

Deno.test("decodeProcesses maps NVML_VALUE_NOT_AVAILABLE to null and ignores records past the buffer", () => {
  const bytes = new Uint8Array(48);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 4242, true);
  view.setBigUint64(8, 1073741824n, true);
  view.setUint32(24, 4244, true);
  view.setBigUint64(32, 0xFFFFFFFFFFFFFFFFn, true);
  assertEquals(decodeProcesses(bytes, 3), [
    { pid: 4242, usedMemoryBytes: 1073741824 },
    { pid: 4244, usedMemoryBytes: null },
  ]);
});

Deno.test("milliwattsToWatts keeps milliwatt precision", () => {
  assertEquals(milliwattsToWatts(612345), 612.345);
});
