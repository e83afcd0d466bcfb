import { assertEquals } from "../../tests/helpers/assert.ts";
import { customHostnameProblem } from "./custom_hostname.ts";

const claims = {
  dashboardNames: ["0.0.0.0", "gpu.lan", "Aikore.Example"],
  others: [{ name: "Comfy", hostname: "comfy.lan" }, { name: "Plain", hostname: null }],
};

Deno.test("custom host names: loopback, IP literals, the dashboard's and taken names are refused", () => {
  const cases: Array<[string, string | null]> = [
    ["flux.lan", null],
    ["app.example.com", null],
    ["localhost", "must not be a loopback name such as localhost"],
    ["app.localhost", "must not be a loopback name such as localhost"],
    ["127.0.0.1", "must be a DNS name, not an IP address"],
    ["10.0.0.5", "must be a DNS name, not an IP address"],
    ["gpu.lan", "is the dashboard's own host name"],
    ["aikore.example", "is the dashboard's own host name"],
    ["comfy.lan", 'is already used by instance "Comfy"'],
    ["evil.com;", "must be a lower-case DNS name (letters, digits, '-' and '.')"],
    ["[::1]", "must be a lower-case DNS name (letters, digits, '-' and '.')"],
  ];
  for (const [name, expected] of cases) {
    assertEquals(customHostnameProblem(name, claims), expected, name);
  }
});
