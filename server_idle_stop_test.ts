/**
 * Idle stop and wake on request with a real AiKore, real nginx and a real app
 * (tests/fixtures/gateway): an instance idle past its policy is stopped through its owner and
 * shows "stopped (idle)"; an open WebSocket through the gateway keeps it awake, and so does a
 * job that keeps its app working with nobody connected; the next
 * request starts it (once) behind the starting page and lands on the app; a user's stop does
 * not wake; bad policies are refused with 422 naming the field.
 *
 * The policy minute is shortened by injection (`idleTiming`, a start option that neither the
 * API nor the environment can set): one policy minute is MINUTE_MS here.
 */
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { type GatewayHarness, startGatewayHarness } from "./tests/helpers/gateway_harness.ts";
import { rawUpgrade } from "./lib/nginx/testdata/raw_http.ts";
import { IDLE_STOP_NOTE } from "./lib/shared/idle_stop.ts";
import { print } from "./tests/helpers/print.ts";
import { fakeNvml } from "./tests/helpers/fake_nvml.ts";

const MINUTE_MS = 2000;
const TIMING = { idleTiming: { minuteMs: MINUTE_MS, checkEveryMs: 100 } };

interface Dto {
  status: string;
  status_message: string | null;
  idle_stop_minutes: number | null;
  updated_at: string;
}

const dto = async (h: GatewayHarness, id: number) =>
  await (await h.fetch(`/api/instances/${id}`)).json() as Dto;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts an instance with a one-minute idle policy and waits until its app serves. */
async function servingIdleApp(h: GatewayHarness, name: string) {
  const app = await h.started(name, "plane_app.sh", { idle_stop_minutes: 1 });
  const appPort = h.server.services.store.get(app.id)?.appPort ?? 0;
  assert(appPort > 0, "the app has an internal port");
  return { ...app, appPort, portUrl: `http://127.0.0.1:${app.port}` };
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
async function listening(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}

function startsIn(h: GatewayHarness, slug: string): number {
  return h.server.services.audit.list({ limit: 1000, action: "instance.start" })
    .filter((entry) => entry.target === slug).length;
}

Deno.test("an instance idle past its policy is stopped through its owner and shows stopped (idle)", async () => {
  const h = await startGatewayHarness({}, TIMING);
  try {
    const app = await servingIdleApp(h, "dozy");
    const cookie = h.authHeaders().cookie ?? "";
    // Taken before the request: the gateway sees it later, so the stop cannot come sooner.
    const lastRequest = performance.now();
    const used = await fetch(`${app.portUrl}/hdrs`, { headers: { cookie } });
    assertEquals(used.status, 200, "the app answers through its port route");
    await used.body?.cancel();
    const stopped = await h.waitStatus(app.id, "stopped", 20_000) as unknown as Dto;
    const idleFor = performance.now() - lastRequest;
    // 2 ms for the millisecond clock of the watcher.
    assert(idleFor >= MINUTE_MS - 2, `not stopped before its policy ran out (${idleFor} ms)`);
    assertEquals(stopped.status_message, IDLE_STOP_NOTE);
    assertEquals(await listening(app.appPort), false, "the app's process is gone");
    const stop = h.server.services.audit.list({ limit: 10, action: "instance.stop" })[0];
    assertEquals([stop?.actor, stop?.target], ["idle-stop", "dozy"], "an owner stop, audited");
  } finally {
    await h.close();
  }
});

Deno.test("an open WebSocket through the gateway keeps the app awake; closed, the app is stopped", async () => {
  const h = await startGatewayHarness({}, TIMING);
  try {
    const app = await servingIdleApp(h, "chatty");
    const cookie = h.authHeaders().cookie ?? "";
    const socket = new WebSocket(`ws://127.0.0.1:${app.port}/ws`, {
      headers: { cookie },
    } as unknown as string[]);
    const echoes: string[] = [];
    socket.onmessage = (event) => echoes.push(String(event.data));
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error("WebSocket did not open"));
    });
    // Three policy minutes with the socket open and silent: no request reaches the gateway.
    await sleep(3 * MINUTE_MS);
    assertEquals((await dto(h, app.id)).status, "started", "the open WebSocket keeps it awake");
    socket.send("still here");
    while (echoes.length === 0) await sleep(20);
    assertEquals(echoes, ["echo:still here"]);
    const closed = new Promise((resolve) => (socket.onclose = resolve));
    socket.close();
    await closed;
    const stopped = await h.waitStatus(app.id, "stopped", 20_000) as unknown as Dto;
    assertEquals(stopped.status_message, IDLE_STOP_NOTE, "stopped once the socket closed");
  } finally {
    await h.close();
  }
});

Deno.test("an app that works with nobody connected (a queued batch) is not idle; once done, it is stopped", async () => {
  const h = await startGatewayHarness({}, TIMING);
  try {
    const app = await h.started("batch", "plane_busy.sh", { idle_stop_minutes: 1 });
    // Three policy minutes without a request or a connection, its job busy on a core.
    await sleep(3 * MINUTE_MS);
    const usage = h.server.services.store.get(app.id);
    assertEquals((await dto(h, app.id)).status, "started", "working: not idle");
    assert(usage?.pid, "still running");
    const done = performance.now();
    await Deno.writeTextFile(`${h.server.services.paths.instanceDir("batch")}/done`, "");
    const stopped = await h.waitStatus(app.id, "stopped", 20_000) as unknown as Dto;
    assertEquals(stopped.status_message, IDLE_STOP_NOTE);
    const idleFor = performance.now() - done;
    assert(idleFor >= MINUTE_MS - 2, `stopped a policy minute after the job ended (${idleFor} ms)`);
  } finally {
    await h.close();
  }
});

Deno.test("a request does not wake an idle-stopped instance onto a GPU another instance now uses; once free, it does", async () => {
  await using nvml = await fakeNvml({ gpuCount: 2, pids: [] });
  const h = await startGatewayHarness({ AIKORE_NVML_LIBRARY: nvml.library }, TIMING);
  try {
    const created = await h.started("dozy", "plane_app.sh", { idle_stop_minutes: 1, gpu_ids: "0" });
    const app = { ...created, portUrl: `http://127.0.0.1:${created.port}` };
    await h.waitStatus(app.id, "stopped", 20_000);
    // Longer now, so that it does not fall asleep again while the test looks at it.
    await h.fetch(`/api/instances/${app.id}`, {
      method: "PUT",
      body: JSON.stringify({ idle_stop_minutes: 60 }),
    });
    // While it sleeps, a training takes its GPU.
    const trainer = await h.started("trainer", "plane_app.sh", { gpu_ids: "0" });
    const cookie = h.authHeaders().cookie ?? "";
    const startsBefore = startsIn(h, "dozy");
    const held = await fetch(`${app.portUrl}/`, { headers: { cookie, accept: "text/html" } });
    const html = await held.text();
    assert(
      /Not started by itself: GPU 0 \(.+\): .+ in use, by &quot;trainer&quot;/.test(html),
      html,
    );
    assert(html.includes("Start dozy"), "the page offers the explicit Start");
    assertEquals(startsIn(h, "dozy"), startsBefore, "no automatic start");
    assertEquals((await dto(h, app.id)).status_message, IDLE_STOP_NOTE, "still asleep");

    await h.stop(trainer.id);
    await h.waitStatus(trainer.id, "stopped");
    const woken = await fetch(`${app.portUrl}/`, { headers: { cookie, accept: "text/html" } });
    assert(/id="status">(starting|started)</.test(await woken.text()), "woken once free");
    await h.waitStatus(app.id, "started", 20_000);
  } finally {
    await h.close();
  }
});

Deno.test("a request wakes an idle-stopped instance once: starting page, 503 + Retry-After for API clients, then the app", async () => {
  const h = await startGatewayHarness({}, TIMING);
  try {
    const app = await servingIdleApp(h, "sleeper");
    await h.waitStatus(app.id, "stopped", 20_000);
    // Longer now, so that it does not fall asleep again while the test looks at it.
    await h.fetch(`/api/instances/${app.id}`, {
      method: "PUT",
      body: JSON.stringify({ idle_stop_minutes: 60 }),
    });
    assertEquals((await dto(h, app.id)).status_message, IDLE_STOP_NOTE, "a policy edit keeps it");
    const startsBefore = startsIn(h, "sleeper");
    const cookie = h.authHeaders().cookie ?? "";
    const firstRequest = performance.now();
    const page = (path: string, accept = "text/html") =>
      fetch(`${path}`, { headers: { cookie, accept } });
    // Ten requests at once, by both routes: every one gets the starting page or a 503.
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => page(`${app.portUrl}/hdrs`)),
      ...Array.from({ length: 5 }, () => page(`${h.url}/instance/sleeper/hdrs`)),
    ]);
    for (const answer of answers) {
      assertEquals(answer.status, 503);
      assertEquals(answer.headers.get("retry-after"), "2");
      const html = await answer.text();
      assert(html.includes('<meta http-equiv="refresh" content="1">'), "the page follows");
      assert(/id="status">(starting|started)</.test(html), html);
      assert(!html.includes("Start sleeper"), "no Start button while waking");
    }
    const api = await page(`${app.portUrl}/hdrs`, "application/json");
    if (api.status === 503) {
      assertEquals(api.headers.get("retry-after"), "2");
      assertEquals(api.headers.get("content-type"), "text/plain; charset=utf-8");
      assert((await api.text()).startsWith("sleeper is starting"));
    } else await api.body?.cancel(); // already healthy: the app answered
    const upgrade = await rawUpgrade(app.port, "/ws", `127.0.0.1:${app.port}`, [
      `Cookie: ${cookie}`,
    ]);
    assert(upgrade.status === 503 || upgrade.status === 101, `WebSocket: ${upgrade.status}`);
    if (upgrade.status === 503) assert(/retry-after: 2/i.test(upgrade.head), upgrade.head);
    // Follow like the page does: reload until the app itself answers.
    let landed: Response | null = null;
    for (let i = 0; i < 400 && !landed; i++) {
      const next = await page(`${app.portUrl}/hdrs`);
      if (next.status === 200) landed = next;
      else {
        assertEquals(next.status, 503);
        await next.body?.cancel();
        await sleep(50);
      }
    }
    assert(landed, "the app answered after the starting page");
    print(
      `woken: first request → the app's 200 in ${Math.round(performance.now() - firstRequest)} ms`,
    );
    assertEquals((await landed.json()).name, "sleeper");
    await h.server.services.lifecycle.settled();
    assertEquals(startsIn(h, "sleeper") - startsBefore, 1, "started exactly once");
    assertEquals((await dto(h, app.id)).status_message, null, "the idle note is gone");
  } finally {
    await h.close();
  }
});

Deno.test("an instance the user stopped does not wake: the normal page with its Start button", async () => {
  const h = await startGatewayHarness({}, TIMING);
  try {
    const app = await h.started("parked", "plane_app.sh", { idle_stop_minutes: 60 });
    await h.stop(app.id);
    const startsBefore = startsIn(h, "parked");
    const cookie = h.authHeaders().cookie ?? "";
    for (const url of [`http://127.0.0.1:${app.port}/`, `${h.url}/instance/parked/`]) {
      const answer = await fetch(url, { headers: { cookie, accept: "text/html" } });
      assertEquals(answer.status, 503);
      assertEquals(answer.headers.get("retry-after"), null, "nothing is on its way");
      const html = await answer.text();
      assert(html.includes('id="status">stopped<') && html.includes("Start parked"), html);
      assert(!html.includes("http-equiv"), "the page does not follow anything");
    }
    await h.server.services.lifecycle.settled();
    assertEquals(startsIn(h, "parked"), startsBefore, "not started");
    assertEquals((await dto(h, app.id)).status, "stopped");
  } finally {
    await h.close();
  }
});

Deno.test("bad idle_stop_minutes values get 422 naming the field, and nothing changes", async () => {
  const h = await startGatewayHarness({}, TIMING);
  try {
    const app = await h.create("strict", "plane_app.sh", { idle_stop_minutes: 30 });
    const before = await dto(h, app.id);
    assertEquals(before.idle_stop_minutes, 30);
    const bad: unknown[] = [1.5, -1, 10_081, "30", true];
    for (const value of bad) {
      const put = await h.fetch(`/api/instances/${app.id}`, {
        method: "PUT",
        body: JSON.stringify({ idle_stop_minutes: value }),
      });
      assertEquals(put.status, 422, `PUT ${JSON.stringify(value)}`);
      const body = await put.json();
      assertEquals(body.error.details[0].field, "idle_stop_minutes", JSON.stringify(body));
      assert(String(body.error.details[0].reason).length > 0);
      const create = await h.fetch("/api/instances", {
        method: "POST",
        body: JSON.stringify({
          name: "x",
          base_blueprint: "plane_app.sh",
          idle_stop_minutes: value,
        }),
      });
      assertEquals(create.status, 422, `POST ${JSON.stringify(value)}`);
      await create.body?.cancel();
    }
    const after = await dto(h, app.id);
    assertEquals([after.idle_stop_minutes, after.updated_at], [30, before.updated_at]);
    assertEquals(h.server.services.store.list().length, 1, "no instance was created");
    const off = await h.fetch(`/api/instances/${app.id}`, {
      method: "PUT",
      body: JSON.stringify({ idle_stop_minutes: 0 }),
    });
    assertEquals([off.status, (await off.json()).idle_stop_minutes], [200, null], "0 is off");
  } finally {
    await h.close();
  }
});
