/**
 * nginx reuses AiKore's "pass, to this port" answer through the current second (real AiKore,
 * real nginx, a real app): logout, password change and token revocation still refuse every
 * request made 1 s later, and a reused answer naming a port that closed (the app stopped or
 * moved) is asked about again at once instead of ending in a 502.
 */
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { TEST_PASSWORD } from "./tests/helpers/auth_app.ts";
import { startGatewayHarness } from "./tests/helpers/gateway_harness.ts";
import { login } from "./tests/helpers/server_harness.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits until the wall clock (nginx's too) is early in a second, so steps share that second. */
async function startOfSecond(): Promise<void> {
  while (Date.now() % 1000 > 150) await sleep(1000 - (Date.now() % 1000));
}

Deno.test("logout, a password change and a revoked token refuse the port route 1 s later", async () => {
  const h = await startGatewayHarness();
  try {
    const app = await h.started("cached");
    const url = `http://127.0.0.1:${app.port}/hdrs`;
    const status = async (headers: Record<string, string>) => {
      const response = await fetch(url, { headers, redirect: "manual" });
      await response.body?.cancel();
      return response.status;
    };
    /** A pass is cached this second, `revoke` runs, and a request 1 s after it is refused. */
    const refusedOneSecondLater = async (
      what: string,
      headers: Record<string, string>,
      revoke: () => Promise<void>,
    ) => {
      await startOfSecond();
      assertEquals(await status(headers), 200, `${what}: passes before`);
      assertEquals(await status(headers), 200, `${what}: passes again (the reused answer)`);
      await revoke();
      const revokedAt = performance.now();
      await sleep(1000 - (performance.now() - revokedAt));
      assertEquals(await status(headers), 401, `${what}: refused 1 s after`);
    };

    const created = await h.fetch("/api/auth/tokens", {
      method: "POST",
      body: JSON.stringify({ name: "cache" }),
    });
    const token = (await created.json()).token as { id: number; token: string };
    await refusedOneSecondLater(
      "revoked token",
      { authorization: `Bearer ${token.token}` },
      async () => {
        const revoked = await h.fetch(`/api/auth/tokens/${token.id}`, { method: "DELETE" });
        assertEquals(revoked.status, 204);
      },
    );

    const second = await login(h.url, TEST_PASSWORD);
    await refusedOneSecondLater("logout", { cookie: second.cookie }, async () => {
      const out = await fetch(`${h.url}/api/auth/logout`, {
        method: "POST",
        headers: { cookie: second.cookie, "x-csrf-token": second.csrfToken, origin: h.url },
      });
      assert(out.ok, `logout answered ${out.status}`);
      await out.body?.cancel();
    });

    const third = await login(h.url, TEST_PASSWORD);
    const harnessCookie = h.authHeaders().cookie ?? "";
    assertEquals(await status({ cookie: harnessCookie }), 200);
    await refusedOneSecondLater("password change", { cookie: third.cookie }, async () => {
      const changed = await fetch(`${h.url}/api/auth/password`, {
        method: "PUT",
        headers: {
          cookie: third.cookie,
          "x-csrf-token": third.csrfToken,
          origin: h.url,
          "content-type": "application/json",
        },
        body: JSON.stringify({ current: TEST_PASSWORD, new: "another correct horse battery" }),
      });
      assertEquals(changed.status, 200);
      await changed.body?.cancel();
    });
    assertEquals(await status({ cookie: harnessCookie }), 401, "every other session ended too");
  } finally {
    await h.close();
  }
});

Deno.test("a reused answer whose app stopped or moved is asked again: the page, then the new port", async () => {
  const h = await startGatewayHarness();
  try {
    const app = await h.started("mover");
    const url = `http://127.0.0.1:${app.port}/hdrs`;
    const headers = { cookie: h.authHeaders().cookie ?? "" };
    const logBefore = (await h.nginxLog()).length;
    let retried = false;
    // The stop must land in the second of the cached answer; a slow machine may need tries.
    for (let attempt = 0; attempt < 5 && !retried; attempt++) {
      await startOfSecond();
      const warm = await fetch(url, { headers, redirect: "manual" });
      assertEquals(warm.status, 200, "the app answers; nginx keeps the answer this second");
      await warm.body?.cancel();
      await h.stop(app.id);
      await h.waitStatus(app.id, "stopped");
      const stopped = await fetch(url, { headers, redirect: "manual" });
      assertEquals(
        stopped.status,
        503,
        `not-serving page, never a bare 502: ${(await h.nginxLog()).slice(logBefore)}`,
      );
      await stopped.body?.cancel();
      retried = (await h.nginxLog()).slice(logBefore).includes("Connection refused");
      await h.start(app.id);
      await h.waitStatus(app.id, "started");
      const moved = await fetch(url, { headers, redirect: "manual" });
      assertEquals(moved.status, 200, "the restarted app on its new internal port");
      await moved.body?.cancel();
    }
    assert(retried, "the cached port was tried, refused, and the request asked AiKore again");
  } finally {
    await h.close();
  }
});
