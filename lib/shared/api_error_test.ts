import { assertEquals } from "../../tests/helpers/assert.ts";
import { apiErrorMessage } from "./api_error.ts";

Deno.test("an API error says each reason once", () => {
  const reason = "must be a lower-case DNS name (letters, digits, '-' and '.')";
  const body = {
    error: {
      code: "invalid_input",
      message: `Invalid hostname: ${reason}`,
      details: [{ field: "hostname", reason }, { field: "port", reason: "is taken" }],
    },
  };
  assertEquals(apiErrorMessage(body, "x"), `Invalid hostname: ${reason} (port: is taken)`);
  assertEquals(apiErrorMessage(null, "fallback"), "fallback");
});
