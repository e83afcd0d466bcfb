/**
 * Outcome notifications with real instances and a real webhook: a run that fails and one that
 * finishes are told with what the app last said; settings are validated, the address is shown
 * by its origin only, changes are audited, and "Send a test" reports the webhook's answer.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { startHarness, waitForStatus } from "../../tests/helpers/harness.ts";
import { startWebhookReceiver } from "../../tests/helpers/webhook_receiver.ts";

const FINISHES = `#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = Finishes
# aikore.venv_type = none
# aikore.health = process
### AIKORE-METADATA-END ###
echo "epoch 10/10"
echo "training done"
exit 0
`;

Deno.test("a failed run and a finished one are told to the webhook, with the app's last words", async () => {
  const hook = startWebhookReceiver();
  const h = await startHarness();
  try {
    const set = await h.json("PUT", "/api/system/notifications", {
      url: `${hook.url}/hooks/secret-token?key=abc`,
      format: "json",
    });
    assertEquals(set.status, 200, JSON.stringify(set.body));
    assertEquals(set.body.enabled, true);
    assertEquals(set.body.url_hint, `${hook.url}/…`, "the address is never shown back whole");
    assertEquals(set.body.events, [
      "finished",
      "failed",
      "stalled",
      "disk_low",
      "download",
      "gpu_lost",
    ]);

    const broken = await h.json("POST", "/api/instances", {
      name: "Broken",
      slug: "broken",
      base_blueprint: "exits_at_once.sh",
    });
    assertEquals(broken.status, 201, JSON.stringify(broken.body));
    assertEquals((await h.json("POST", `/api/instances/${broken.body.id}/start`)).status, 200);
    const failed = await hook.nth(1);
    assertEquals(failed.path, "/hooks/secret-token");
    assertEquals(failed.search, "?key=abc");
    const told = JSON.parse(failed.body);
    assertEquals(told.event, "failed");
    assertEquals(told.instance.name, "Broken");
    assertEquals(told.exit_code, 3);
    assertEquals(told.reason, "exits_at_once: failing on purpose");
    assertMatch(told.title, /"Broken" failed/);

    const saved = await h.json("POST", "/api/system/blueprints/custom", {
      filename: "finishes.sh",
      content: FINISHES,
    });
    assertEquals(saved.status, 201);
    const trainer = await h.json("POST", "/api/instances", {
      name: "Trainer",
      slug: "trainer",
      base_blueprint: "finishes.sh",
    });
    assertEquals(trainer.status, 201, JSON.stringify(trainer.body));
    await h.json("POST", `/api/instances/${trainer.body.id}/start`);
    await waitForStatus(h, trainer.body.id, "exited");
    const finished = JSON.parse((await hook.nth(2)).body);
    assertEquals([finished.event, finished.exit_code], ["finished", 0]);
    assertEquals(finished.last_lines.slice(-1), ["training done"]);

    // Only the chosen outcomes: with "finished" left out, another finish is not told.
    await h.json("PUT", "/api/system/notifications", { events: ["failed", "stalled"] });
    const second = await h.json("POST", "/api/instances", {
      name: "Trainer 2",
      slug: "trainer-2",
      base_blueprint: "finishes.sh",
    });
    await h.json("POST", `/api/instances/${second.body.id}/start`);
    await waitForStatus(h, second.body.id, "exited");
    // Deliveries keep their order: had that finish been told, it would come before this failure.
    const broken2 = await h.json("POST", "/api/instances", {
      name: "Broken 2",
      slug: "broken-2",
      base_blueprint: "exits_at_once.sh",
    });
    await h.json("POST", `/api/instances/${broken2.body.id}/start`);
    const third = JSON.parse((await hook.nth(3)).body);
    assertEquals([third.event, third.instance.slug], ["failed", "broken-2"]);
    const view = await h.json("GET", "/api/system/notifications");
    assertEquals(view.body.last_delivery.ok, true);
    const audit = h.services.audit.list({ limit: 20 }).map((e) => `${e.action} ${e.target}`);
    assert(audit.includes(`notifications.update ${new URL(hook.url).host}`), audit.join(", "));
  } finally {
    await h.close();
    await hook.close();
  }
});

Deno.test("notification settings: bad values are 422s naming the field; the test says how the webhook answered", async () => {
  const hook = startWebhookReceiver([500]);
  const h = await startHarness();
  try {
    const untested = await h.json("POST", "/api/system/notifications/test");
    assertEquals(untested.status, 409, "nothing to send to yet");
    for (
      const [body, field] of [
        [{ url: "ftp://x.example/" }, "url"],
        [{ url: "not a url" }, "url"],
        [{ url: "https://user:pw@x.example/" }, "url"],
        [{ format: "telegram" }, "format"],
        [{ events: ["exploded"] }, "events.0"],
        [{ colour: "red" }, "body"],
      ] as const
    ) {
      const refused = await h.json("PUT", "/api/system/notifications", body);
      assertEquals(refused.status, 422, JSON.stringify(body));
      assertEquals(refused.body.error.details[0].field, field);
    }
    assertEquals((await h.json("GET", "/api/system/notifications")).body.enabled, false);

    await h.json("PUT", "/api/system/notifications", { url: `${hook.url}/t`, format: "slack" });
    const first = await h.json("POST", "/api/system/notifications/test");
    assertEquals([first.body.ok, first.body.detail], [false, "HTTP 500"]);
    const second = await h.json("POST", "/api/system/notifications/test");
    assertEquals([second.body.ok, second.body.detail], [true, "HTTP 204"]);
    assertMatch(JSON.parse(hook.received[1]?.body ?? "{}").text, /test notification/);

    const off = await h.json("PUT", "/api/system/notifications", { url: null });
    assertEquals([off.body.enabled, off.body.url_hint, off.body.format], [false, null, "slack"]);
  } finally {
    await h.close();
    await hook.close();
  }
});
