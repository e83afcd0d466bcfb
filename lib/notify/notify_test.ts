import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { startWebhookReceiver } from "../../tests/helpers/webhook_receiver.ts";
import { silentLogger } from "../log/mod.ts";
import { type Notice, webhookRequest, WebhookSender } from "./mod.ts";

const NOTICE: Notice = {
  event: "failed",
  title: 'AiKore: "Train LoRA ✨" failed',
  text: "Train LoRA ✨ (train-lora): exited (3)\nERROR: CUDA out of memory",
  urgent: true,
  facts: { instance: { id: 7, name: "Train LoRA ✨", slug: "train-lora" }, exit_code: 3 },
  at: "2026-12-06T22:00:00.000Z",
};

Deno.test("each format is what its service takes; ntfy gets its topic and a UTF-8 title in JSON", () => {
  const json = webhookRequest("json", "https://hooks.example/x", NOTICE);
  assertEquals(json.url, "https://hooks.example/x");
  assertEquals(JSON.parse(json.body), {
    event: "failed",
    title: NOTICE.title,
    text: NOTICE.text,
    instance: { id: 7, name: "Train LoRA ✨", slug: "train-lora" },
    exit_code: 3,
    at: NOTICE.at,
  });

  const discord = JSON.parse(webhookRequest("discord", "https://d.example/w/1/t", NOTICE).body);
  assertEquals(discord.content, `**${NOTICE.title}**\n${NOTICE.text}`);
  const slack = JSON.parse(webhookRequest("slack", "https://s.example/services/T", NOTICE).body);
  assertEquals(slack.text, `*${NOTICE.title}*\n${NOTICE.text}`);

  const ntfy = webhookRequest("ntfy", "https://ntfy.example/base/gpu-box%20alerts?auth=tk", NOTICE);
  assertEquals(ntfy.url, "https://ntfy.example/base?auth=tk");
  const published = JSON.parse(ntfy.body);
  assertEquals(published.topic, "gpu-box alerts");
  assertEquals(published.title, NOTICE.title);
  assertEquals(published.message, NOTICE.text);
  assertEquals([published.priority, published.tags], [4, ["warning"]]);
  const calm = webhookRequest("ntfy", "https://ntfy.example/alerts", { ...NOTICE, urgent: false });
  assertEquals(calm.url, "https://ntfy.example/");
  assertEquals(JSON.parse(calm.body).tags, ["white_check_mark"]);
});

Deno.test("a failed delivery is retried until the webhook takes it; the last delivery is kept", async () => {
  const hook = startWebhookReceiver([500, 503]);
  const sender = new WebhookSender({ logger: silentLogger, retryDelaysMs: [10, 10, 10] });
  try {
    sender.send(webhookRequest("json", `${hook.url}/in`, NOTICE));
    const third = await hook.nth(3);
    assertEquals(JSON.parse(third.body).event, "failed");
    assertEquals(third.contentType, "application/json");
    for (let i = 0; i < 100 && !sender.lastDelivery?.ok; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assertEquals(sender.lastDelivery?.ok, true);
    assertEquals(sender.lastDelivery?.detail, "HTTP 204");
    assertEquals(hook.received.length, 3, "no more tries once delivered");
  } finally {
    sender.close();
    await hook.close();
  }
});

Deno.test("a webhook that never answers times out; one that redirects is not followed", async () => {
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of silent) held.push(conn);
  })();
  const redirect = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(null, { status: 302, headers: { location: "http://127.0.0.1:1/" } }),
  );
  const sender = new WebhookSender({ logger: silentLogger, timeoutMs: 200 });
  try {
    const timedOut = await sender.tryOnce({
      url: `http://127.0.0.1:${silent.addr.port}/`,
      headers: {},
      body: "x",
    });
    assertEquals(timedOut.ok, false);
    assertEquals(timedOut.detail, "no answer within 0.2 s");
    const moved = await sender.tryOnce({
      url: `http://127.0.0.1:${redirect.addr.port}/`,
      headers: {},
      body: "x",
    });
    assertEquals([moved.ok, moved.detail], [false, "HTTP 302"]);
    const refused = await sender.tryOnce({ url: "http://127.0.0.1:1/", headers: {}, body: "x" });
    assert(!refused.ok && refused.detail.length > 0, refused.detail);
  } finally {
    sender.close();
    silent.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
    await redirect.shutdown();
  }
});
