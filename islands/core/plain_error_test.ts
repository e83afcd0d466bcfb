import { assertEquals } from "../../tests/helpers/assert.ts";
import { plainError } from "./plain_error.ts";

Deno.test("API field names become the labels the user sees", () => {
  assertEquals(
    plainError('Invalid gpu_ids: is empty: choose "none" (CPU only) (port: taken)'),
    'GPUs: is empty: choose "none" (CPU only) (Port: taken)',
  );
  assertEquals(
    plainError("Invalid idle_stop_minutes: must be in 0-10080 minutes (0 or null: off)"),
    "Idle stop: must be in 0-10080 minutes (0 or null: off)",
  );
  assertEquals(plainError("Invalid mystery: x"), "Invalid mystery: x");
  assertEquals(plainError("No free port left"), "No free port left");
});
