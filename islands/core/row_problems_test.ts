import { assertEquals } from "../../tests/helpers/assert.ts";
import { valuesOf } from "./editable.ts";
import { rowProblems } from "./row_problems.ts";
import { testDto } from "./test_support.ts";

Deno.test("typed values are checked while typing, only where the user changed them", () => {
  const values = { ...valuesOf(testDto()), name: " x", output_path: "../up" };
  assertEquals(rowProblems(values, new Set(), null), {});
  assertEquals(rowProblems(values, new Set(["name", "output_path"]), null), {
    name: "must not start or end with spaces",
    output_path: "must not contain empty, '.' or '..' segments",
  });
  const host = { ...valuesOf(testDto()), use_custom_hostname: true, hostname: "Bad_Host" };
  assertEquals(rowProblems(host, new Set(["hostname"]), null), {
    hostname: "must be a lower-case DNS name (letters, digits, '-' and '.')",
  });
  assertEquals(rowProblems({ ...host, python_version: "3.x" }, new Set(["python_version"]), 2), {
    python_version: "must look like 3.12 or 2.5.1",
  });
  assertEquals(rowProblems({ ...host, gpu_ids: "3" }, new Set(["gpu_ids"]), 2), {
    gpu_ids: "GPU 3 does not exist (this machine has 2)",
  });
});

Deno.test("a typed idle stop is checked with the server's rule once changed", () => {
  const values = { ...valuesOf(testDto()), idle_stop_minutes: "1.5" };
  assertEquals(rowProblems(values, new Set(), null), {});
  assertEquals(rowProblems(values, new Set(["idle_stop_minutes"]), null), {
    idle_stop_minutes: "must be a whole number of minutes (0 or null: off)",
  });
  const big = { ...values, idle_stop_minutes: "99999" };
  assertEquals(rowProblems(big, new Set(["idle_stop_minutes"]), null), {
    idle_stop_minutes: "must be in 0-10080 minutes (0 or null: off)",
  });
  const ok = { ...values, idle_stop_minutes: "10080" };
  assertEquals(rowProblems(ok, new Set(["idle_stop_minutes"]), null), {});
});
