import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import {
  clearedSessionCookie,
  readCookie,
  readCookies,
  SESSION_COOKIE,
  sessionCookie,
} from "./session_cookie.ts";

Deno.test("session cookie: HttpOnly, SameSite=Strict, Path=/, no Domain; Secure only over HTTPS", () => {
  const plain = sessionCookie("abc", { secure: false, maxAgeSeconds: 60 });
  const parts = plain.split("; ");
  assertEquals(parts[0], `${SESSION_COOKIE}=abc`);
  for (const attribute of ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=60"]) {
    assert(parts.includes(attribute), `${attribute} missing in ${plain}`);
  }
  assert(!/domain=/i.test(plain));
  assert(!parts.includes("Secure"));
  assert(sessionCookie("abc", { secure: true, maxAgeSeconds: 60 }).split("; ").includes("Secure"));
  assert(clearedSessionCookie({ secure: false }).includes("Max-Age=0"));
});

Deno.test("readCookie finds the exact cookie name among others", () => {
  const header = "x_aikore_session=evil; aikore_session_2=no; aikore_session=good; other=1";
  assertEquals(readCookie(header, SESSION_COOKIE), "good");
  assertEquals(readCookie("aikore_session=", SESSION_COOKIE), null);
  assertEquals(readCookie(null, SESSION_COOKIE), null);
  assertEquals(readCookie("junk", SESSION_COOKIE), null);
});

Deno.test("readCookies returns every copy in header order (an app may toss decoys)", () => {
  const header =
    "aikore_session=decoy; x_aikore_session=no; a=1; aikore_session=real; aikore_session=";
  assertEquals(readCookies(header, SESSION_COOKIE), ["decoy", "real"]);
  assertEquals(readCookies(null, SESSION_COOKIE), []);
});
