import { assertEquals } from "../../tests/helpers/assert.ts";
import { failureLine } from "../../lib/shared/failure_line.ts";
import { failureToast } from "./failure.ts";
import { testDto } from "./test_support.ts";

Deno.test("the failure line is the last error-like line, else the last line", () => {
  assertEquals(
    failureLine(["start", "ERROR: CUDA out of memory", "bye"]),
    "ERROR: CUDA out of memory",
  );
  assertEquals(failureLine(["start", "bye"]), "bye");
  assertEquals(failureLine([]), null);
  assertEquals(failureLine(null), null);
});

Deno.test("the failure toast names the instance, the exit and the reason", () => {
  const dto = testDto({
    name: "Broken",
    status: "exited",
    exit_code: 3,
    last_output: ["x", "Could not resolve host: github.com"],
  });
  assertEquals(failureToast(dto), '"Broken" exited (3): Could not resolve host: github.com');
  assertEquals(
    failureToast(testDto({ name: "B", status: "error", status_message: "no launch.sh" })),
    '"B" error: no launch.sh',
  );
});
