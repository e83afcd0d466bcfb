import { assertEquals } from "../../../tests/helpers/assert.ts";
import { createAuthTestApp } from "../../../tests/helpers/auth_app.ts";
import { defaultPublicPaths } from "./require_auth.ts";

Deno.test("public paths are exact; dot segments never make a path public", () => {
  for (const path of ["/login", "/setup", "/healthz", "/static/app.css", "/api/auth/check"]) {
    assertEquals(defaultPublicPaths(path), true, path);
  }
  for (
    const path of [
      "/",
      "/login/x",
      "/loginx",
      "/static",
      "/static/../api/instances",
      "/static/./x",
      "/static/..",
      "/static\\..\\api",
      "/api/auth/session",
      "/api/auth/tokens",
      "/healthz/",
    ]
  ) {
    assertEquals(defaultPublicPaths(path), false, path);
  }
});

Deno.test("pages redirect to the login page with the path to return to; the API answers 401", async () => {
  const t = await createAuthTestApp();
  try {
    const page = await t.request("/settings?tab=a%20b");
    assertEquals(page.status, 303);
    assertEquals(page.headers.get("location"), "/login?next=%2Fsettings%3Ftab%3Da%2520b");
    const api = await t.request("/api/things");
    assertEquals(api.status, 401);
    assertEquals((await api.json()).error.code, "unauthorized");
    // An encoded traversal out of /static does not reach anything private.
    const sneaky = await t.request("/static/%2e%2e/api/things");
    assertEquals(sneaky.status, 401);
  } finally {
    await t.close();
  }
});
