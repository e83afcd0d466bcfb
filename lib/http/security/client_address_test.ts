import { Hono } from "hono";
import { assertEquals } from "../../../tests/helpers/assert.ts";
import { clientAddress, isLoopbackAddress, requestIsHttps } from "./client_address.ts";
import { GATEWAY_SECRET_HEADER, gatewaySecret } from "../../auth/mod.ts";

function probe() {
  const app = new Hono();
  app.get("/", (c) => c.json({ client: clientAddress(c), https: requestIsHttps(c) }));
  return async (peer: Deno.Addr | null, headers: Record<string, string> = {}) => {
    const env = peer ? { remoteAddr: peer } : undefined;
    const res = await app.request("/", { headers }, env);
    return await res.json() as { client: string; https: boolean };
  };
}

const tcp = (hostname: string): Deno.NetAddr => ({ transport: "tcp", hostname, port: 50000 });
const FORWARDED = {
  "X-Real-IP": "198.51.100.4",
  "X-Forwarded-For": "198.51.100.5",
  "X-Forwarded-Proto": "https",
};
/** What AiKore's nginx sends: the forwarding headers plus this start's secret. */
const VIA_GATEWAY = { ...FORWARDED, [GATEWAY_SECRET_HEADER]: gatewaySecret() };

Deno.test("forwarded headers from a non-loopback peer change nothing", async () => {
  const ask = probe();
  assertEquals(await ask(tcp("203.0.113.9"), FORWARDED), { client: "203.0.113.9", https: false });
  assertEquals(await ask(tcp("192.168.1.20"), FORWARDED), { client: "192.168.1.20", https: false });
  assertEquals(await ask(tcp("::ffff:10.0.0.1"), FORWARDED), {
    client: "::ffff:10.0.0.1",
    https: false,
  });
});

Deno.test("X-Real-IP and X-Forwarded-Proto are trusted from AiKore's nginx only (secret header)", async () => {
  const ask = probe();
  for (const gateway of ["127.0.0.1", "::1", "::ffff:127.0.0.1", "127.0.0.53"]) {
    assertEquals(await ask(tcp(gateway), VIA_GATEWAY), { client: "198.51.100.4", https: true });
    assertEquals(
      await ask(tcp(gateway), FORWARDED),
      { client: gateway, https: false },
      "a local process without the secret is just a loopback client",
    );
    assertEquals(
      await ask(tcp(gateway), { ...FORWARDED, [GATEWAY_SECRET_HEADER]: "guess" }),
      { client: gateway, https: false },
    );
  }
  assertEquals(await ask(tcp("203.0.113.9"), VIA_GATEWAY), {
    client: "203.0.113.9",
    https: false,
  }, "the secret from a remote peer is not enough");
  assertEquals((await ask(tcp("127.0.0.1"), { "X-Real-IP": "evil, 1.2.3.4" })).client, "127.0.0.1");
  assertEquals((await ask(tcp("127.0.0.1"), {})).client, "127.0.0.1");
  assertEquals(
    (await ask(tcp("127.0.0.1"), { "X-Forwarded-For": "198.51.100.5" })).client,
    "127.0.0.1",
    "X-Forwarded-For is never used (the gateway sets X-Real-IP)",
  );
  assertEquals(await ask({ transport: "unix", path: "/run/aikore.sock" }, VIA_GATEWAY), {
    client: "198.51.100.4",
    https: true,
  });
  assertEquals(await ask(null, VIA_GATEWAY), { client: "unknown", https: false });
});

Deno.test("loopback detection", () => {
  for (const yes of ["127.0.0.1", "127.255.0.1", "::1", "[::1]", "::ffff:127.0.0.1"]) {
    assertEquals(isLoopbackAddress(yes), true, yes);
  }
  for (const no of ["128.0.0.1", "10.0.0.1", "::2", "::ffff:10.0.0.1", "localhost", "1127.0.0.1"]) {
    assertEquals(isLoopbackAddress(no), false, no);
  }
});
