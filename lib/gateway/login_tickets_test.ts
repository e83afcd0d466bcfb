import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { dashboardLoginUrl } from "./login_return.ts";
import { LoginTickets } from "./login_tickets.ts";

Deno.test("a login ticket is used once, on its target's host only, within a minute", () => {
  let now = 1_000_000;
  const tickets = new LoginTickets(() => now);
  const target = "http://comfy.lan:9000/deep?x=1";
  const first = tickets.issue("session-a", target);
  assert(/^[A-Za-z0-9_-]{43}$/.test(first), "256 random bits, URL-safe");
  assertEquals(tickets.redeem(first, "COMFY.lan:9000"), { sessionId: "session-a", target });
  assertEquals(tickets.redeem(first, "comfy.lan:9000"), null, "used up");
  const misused = tickets.issue("session-a", target);
  assertEquals(tickets.redeem(misused, "comfy.lan:9001"), null, "another origin");
  assertEquals(tickets.redeem(misused, "comfy.lan:9000"), null, "and burnt by the attempt");
  const late = tickets.issue("session-a", target);
  now += 60_000;
  assertEquals(tickets.redeem(late, "comfy.lan:9000"), null, "expired");
  assertEquals(tickets.redeem("made-up", "comfy.lan:9000"), null);
});

Deno.test("a login from a custom host name goes to a dashboard name, loopback names last", () => {
  const url = "http://comfy.lan:9000/login?next=%2F_aikore%2Freturn";
  const names = ["localhost", "127.0.0.1", "gpu.lan"];
  assertEquals(
    dashboardLoginUrl(url, "comfy.lan", names),
    "http://gpu.lan:9000/login?next=%2F_aikore%2Freturn",
  );
  assertEquals(
    dashboardLoginUrl(url, "comfy.lan", ["localhost"]),
    "http://localhost:9000/login?next=%2F_aikore%2Freturn",
  );
  const onDashboardName = "http://gpu.lan:19001/login?next=x";
  assertEquals(dashboardLoginUrl(onDashboardName, "gpu.lan", names), onDashboardName);
  assertEquals(dashboardLoginUrl("/login?next=x", "comfy.lan", names), "/login?next=x");
  assertEquals(dashboardLoginUrl(url, "comfy.lan", []), url, "no names: any Host is the dashboard");
});
