import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { startWebhookReceiver } from "../../tests/helpers/webhook_receiver.ts";
import { type InstanceRecord, openDatabase, SettingsRepository } from "../db/mod.ts";
import { createLogger, silentLogger } from "../log/mod.ts";
import { WebhookSender } from "../notify/mod.ts";
import { EventBus } from "./event_bus.ts";
import { InstanceLogs } from "./instance_logs.ts";
import { InstancePaths } from "./instance_paths.ts";
import { INSTANCE_EVENT } from "./instance_store.ts";
import { noticeEventOf, Notifier } from "./notifier.ts";
import type { ModelDownloadView } from "../shared/model_download.ts";

const record = (status: string, exitCode: number | null = null, exitSignal: number | null = null) =>
  ({
    id: 1,
    name: "Trainer",
    slug: "trainer",
    status,
    exitCode,
    exitSignal,
    statusMessage: null,
  }) as InstanceRecord;

/** A notifier on an empty settings store, with no instance logs (for notices about the machine). */
const plainNotifier = () =>
  new Notifier({
    settings: new SettingsRepository(openDatabase(":memory:")),
    sender: new WebhookSender({ logger: silentLogger }),
    logs: new InstanceLogs(new InstancePaths("/nonexistent")),
    logger: silentLogger,
  });

Deno.test("which change of status makes which notice", () => {
  const cases: Array<[string | undefined, InstanceRecord, string | null]> = [
    ["started", record("exited", 0), "finished"],
    ["starting", record("exited", 3), "failed"],
    ["started", record("exited", null, 9), "failed"],
    ["stalled", record("error"), "failed"],
    ["started", record("stalled"), "stalled"],
    ["stalled", record("stalled"), null], // still stalled: told once
    ["stopping", record("exited", 0), null], // a stop the user asked for
    ["stopping", record("stopped"), null],
    ["stopped", record("error"), null], // could not start: the user sees it where they clicked
    [undefined, record("exited", 3), null], // unknown before: not a run that was going
    ["started", record("started"), null],
  ];
  for (const [before, after, expected] of cases) {
    assertEquals(noticeEventOf(before, after), expected, `${before} → ${after.status}`);
  }
});

Deno.test("a run that ended while AiKore was down is told; a crash loop is told once a minute", async () => {
  const hook = startWebhookReceiver();
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-notices-" });
  const clock = { now: Date.UTC(2026, 11, 6, 22) };
  const sender = new WebhookSender({ logger: silentLogger });
  const notifier = new Notifier({
    settings: new SettingsRepository(openDatabase(":memory:")),
    sender,
    logs: new InstanceLogs(new InstancePaths(dataDir)),
    logger: silentLogger,
    now: () => clock.now,
  });
  const bus = new EventBus();
  try {
    notifier.update({ url: `${hook.url}/n` });
    // The database says "started" (AiKore stopped while it ran); the reconciliation finds it ended.
    notifier.start(bus, [record("started")]);
    bus.publish(INSTANCE_EVENT, record("exited", 0));
    assertEquals(JSON.parse((await hook.nth(1)).body).event, "finished");
    for (const seconds of [0, 20, 61]) {
      clock.now += seconds * 1000;
      bus.publish(INSTANCE_EVENT, record("starting"));
      bus.publish(INSTANCE_EVENT, record("exited", 3));
    }
    const second = JSON.parse((await hook.nth(2)).body);
    const third = JSON.parse((await hook.nth(3)).body);
    assertEquals([second.event, third.event], ["failed", "failed"]);
    assertEquals(third.at, new Date(clock.now).toISOString(), "the third, a minute later");
    assertEquals(hook.received.length, 3, "the one 20 s after the first was not sent");
  } finally {
    notifier.stop();
    await hook.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a low disk is told when asked for, with its figures; not when the user left it out", async () => {
  const hook = startWebhookReceiver();
  const notifier = plainNotifier();
  try {
    notifier.update({ url: `${hook.url}/n`, events: ["failed"] });
    notifier.diskLow("/data", 1024 ** 3, 100 * 1024 ** 3); // not asked for: nothing is sent
    notifier.update({ events: ["failed", "disk_low"] });
    notifier.diskLow("/data", 2 * 1024 ** 3, 100 * 1024 ** 3);
    const told = JSON.parse((await hook.nth(1)).body);
    assertEquals(told.event, "disk_low");
    assertEquals([told.path, told.free_bytes, told.total_bytes], [
      "/data",
      2 * 1024 ** 3,
      100 * 1024 ** 3,
    ]);
    assertEquals(
      told.text,
      "2.0 GB free of 100.0 GB on /data. Downloads, outputs and logs will fail when it is full.",
    );
    assertEquals(hook.received.length, 1);

    const download: ModelDownloadView = {
      id: 4,
      source: "https://huggingface.co/org/repo/resolve/main/unet.safetensors",
      folder: "unet",
      name: "unet.safetensors",
      status: "done",
      bytes: 6 * 1024 ** 3,
      total: 6 * 1024 ** 3,
      rate: null,
      message: null,
      needs_token: false,
      sha256: null,
      created_at: "2026-12-07T00:00:00.000Z",
      finished_at: "2026-12-07T01:00:00.000Z",
    };
    notifier.download(download); // not asked for: nothing is sent
    notifier.update({ events: ["download"] });
    notifier.download(download);
    notifier.download({
      ...download,
      status: "failed",
      bytes: 1024 ** 3,
      message: "the disk is full: free some space, then Resume goes on from here",
    });
    const done = JSON.parse((await hook.nth(2)).body);
    assertEquals([done.event, done.title, done.text], [
      "download",
      "AiKore: unet.safetensors downloaded",
      "6.0 GB in models/unet.",
    ]);
    assertEquals(done.download.source, download.source);
    const failed = JSON.parse((await hook.nth(3)).body);
    assertEquals([failed.title, failed.text, failed.reason], [
      "AiKore: the download of unet.safetensors failed",
      "the disk is full: free some space, then Resume goes on from here. 1.0 GB are kept: " +
      "Resume in the Models view goes on from there.",
      "the disk is full: free some space, then Resume goes on from here",
    ]);
    assertEquals(hook.received.length, 3);
  } finally {
    notifier.stop();
    await hook.close();
  }
});

Deno.test("a lost GPU is told when asked for, with the instances running on it", async () => {
  const hook = startWebhookReceiver();
  const notifier = plainNotifier();
  const gpu = { index: 1, name: "NVIDIA H100 80GB HBM3", uuid: "GPU-1111" };
  try {
    notifier.update({ url: `${hook.url}/n`, events: ["failed"] });
    notifier.gpuLost(gpu, ["Trainer"]); // not asked for: nothing is sent
    notifier.update({ events: ["gpu_lost"] });
    notifier.gpuLost(gpu, ["Trainer", "SDXL"]);
    notifier.gpuLost({ ...gpu, index: 0 }, []);
    const told = JSON.parse((await hook.nth(1)).body);
    assertEquals([told.event, told.title], [
      "gpu_lost",
      "AiKore: GPU 1 stopped answering the driver",
    ]);
    assertEquals(
      told.text,
      "NVIDIA H100 80GB HBM3 (GPU 1) no longer answers NVML: it may have fallen off the bus or its " +
        "driver faulted; the apps on it have likely stopped or hung. Running on it: Trainer, SDXL.",
    );
    assertEquals([told.gpu, told.instances], [gpu, ["Trainer", "SDXL"]]);
    const idle = JSON.parse((await hook.nth(2)).body);
    assertEquals(idle.text.endsWith("No instance was running on it."), true);
    assertEquals(hook.received.length, 2);
  } finally {
    notifier.stop();
    await hook.close();
  }
});

Deno.test("a failure notice says what changed in the environment since the instance last worked", async () => {
  const hook = startWebhookReceiver();
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-notices-" });
  let answer: () => Promise<string[] | null> = () => Promise.resolve(null);
  const asked: number[] = [];
  const logs: string[] = [];
  const notifier = new Notifier({
    settings: new SettingsRepository(openDatabase(":memory:")),
    sender: new WebhookSender({ logger: silentLogger }),
    logs: new InstanceLogs(new InstancePaths(dataDir)),
    logger: createLogger("info", "test", (line) => logs.push(line)),
    environmentChanges: (failed) => (asked.push(failed.id), answer()),
  });
  const bus = new EventBus();
  const failRun = (id: number) => {
    bus.publish(INSTANCE_EVENT, { ...record("starting"), id });
    bus.publish(INSTANCE_EVENT, { ...record("exited", 1), id });
  };
  try {
    notifier.update({ url: `${hook.url}/n`, format: "json" });
    notifier.start(bus, []);
    const changes = Array.from({ length: 7 }, (_, i) => `+ package-${i} 1.0`);
    changes[0] = "torch 2.5.1 → 2.6.0";
    let release: () => void = () => {};
    answer = () => new Promise((resolve) => (release = () => resolve(changes)));
    failRun(1);
    bus.publish(INSTANCE_EVENT, { ...record("exited", 0), id: 2, status: "started" });
    bus.publish(INSTANCE_EVENT, { ...record("exited", 0), id: 2 });
    // The finish is told while the failure waits for its environment to be read.
    assertEquals(JSON.parse((await hook.nth(1)).body).event, "finished");
    release();
    const failed = JSON.parse((await hook.nth(2)).body);
    assertEquals([failed.event, failed.instance.id], ["failed", 1]);
    assertEquals(failed.environment_changes, changes);
    assertEquals(
      failed.text.split("\n").at(-1),
      "Changed since it last worked: torch 2.5.1 → 2.6.0, + package-1 1.0, + package-2 1.0, " +
        "+ package-3 1.0, + package-4 1.0, and 2 more",
    );

    // Nothing known, or the question fails: the notice goes without that line.
    answer = () => Promise.resolve(null);
    failRun(3);
    const plain = JSON.parse((await hook.nth(3)).body);
    assertEquals([plain.instance.id, plain.environment_changes], [3, null]);
    assertEquals(plain.text.includes("Changed since"), false);
    answer = () => Promise.reject(new Error("database is locked"));
    failRun(4);
    const despite = JSON.parse((await hook.nth(4)).body);
    assertEquals([despite.instance.id, despite.environment_changes], [4, null]);
    assertMatch(
      logs.join("\n"),
      /could not say what changed in the environment.*database is locked/s,
    );
    assertEquals(asked, [1, 3, 4], "asked for failures only");
  } finally {
    notifier.stop();
    await hook.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
