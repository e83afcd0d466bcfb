import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { readSse, startServerHarness } from "../../tests/helpers/server_harness.ts";

Deno.test("the event stream sends a snapshot, then every change with ids, and resumes without gaps", async () => {
  const h = await startServerHarness();
  const controller = new AbortController();
  try {
    const first = await h.fetch("/api/events", { signal: controller.signal });
    assertEquals(first.headers.get("content-type")?.startsWith("text/event-stream"), true);
    const events = readSse(first);
    const snapshot = (await events.next()).value;
    assertEquals(snapshot?.event, "snapshot");
    assertEquals(JSON.parse(snapshot?.data ?? "{}").instances, []);

    const created = await (await h.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({ name: "ev", base_blueprint: "log_ready.sh" }),
    })).json();
    const createdEvent = (await events.next()).value;
    assertEquals(createdEvent?.event, "instance");
    assertEquals(JSON.parse(createdEvent?.data ?? "{}").slug, "ev");
    const lastSeen = Number(createdEvent?.id);
    controller.abort();

    // While disconnected: start (starting, started) and a live update.
    await h.fetch(`/api/instances/${created.id}/start`, { method: "POST" });
    await h.fetch(`/api/instances/${created.id}`, {
      method: "PUT",
      body: JSON.stringify({ autostart: true }),
    });
    const resumeController = new AbortController();
    const resumed = await h.fetch("/api/events", {
      headers: { "last-event-id": String(lastSeen) },
      signal: resumeController.signal,
    });
    const stream = readSse(resumed);
    const seen: Array<{ id: number; status: string; autostart: boolean }> = [];
    while (!seen.some((e) => e.status === "started") || !seen.some((e) => e.autostart)) {
      const next = (await stream.next()).value;
      assert(next && next.event === "instance", `unexpected ${next?.event}`);
      const data = JSON.parse(next.data);
      seen.push({ id: Number(next.id), status: data.status, autostart: data.autostart });
    }
    assertEquals(seen[0]?.id, lastSeen + 1, "no gap after Last-Event-ID");
    seen.forEach((e, i) => i > 0 && assertEquals(e.id, (seen[i - 1]?.id ?? 0) + 1));
    assert(seen.some((e) => e.status === "starting"));
    assert(seen.some((e) => e.autostart));
    resumeController.abort();
    await h.fetch(`/api/instances/${created.id}/stop`, { method: "POST" });
  } finally {
    controller.abort();
    await h.close();
  }
});

Deno.test("a client too far behind gets a fresh snapshot instead of a partial replay", async () => {
  const h = await startServerHarness();
  try {
    for (let i = 0; i < 2100; i++) h.server.services.bus.publish("noise", { i });
    const controller = new AbortController();
    const response = await h.fetch("/api/events", {
      headers: { "last-event-id": "1" },
      signal: controller.signal,
    });
    const first = (await readSse(response).next()).value;
    assertEquals(first?.event, "snapshot");
    controller.abort();
  } finally {
    await h.close();
  }
});

Deno.test("stats events flow only to clients that ask, from a hub that samples only while watched", async () => {
  const h = await startServerHarness();
  try {
    assertEquals(h.server.stats.subscriberCount, 0);
    const controller = new AbortController();
    const response = await h.fetch("/api/events?stats=1", { signal: controller.signal });
    const events = readSse(response);
    let stats = null;
    for (let i = 0; i < 10 && !stats; i++) {
      const next = (await events.next()).value;
      if (next?.event === "stats") stats = JSON.parse(next.data);
    }
    assert(stats, "a stats event arrived");
    assert(stats.ram.total > 0);
    assertEquals(stats.gpu_telemetry.available, false);
    assertEquals(h.server.stats.subscriberCount, 1);
    controller.abort();
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(h.server.stats.subscriberCount, 0, "unsubscribed when the client left");
  } finally {
    await h.close();
  }
});
