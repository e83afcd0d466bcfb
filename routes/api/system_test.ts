import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { fakeNvml } from "../../tests/helpers/fake_nvml.ts";
import { startServerHarness } from "../../tests/helpers/server_harness.ts";
import { buildLegacyDb } from "../../tests/fixtures/legacy/build_legacy_db.ts";
import { startWebhookReceiver } from "../../tests/helpers/webhook_receiver.ts";

Deno.test("GPU info and stats come from NVML read once; requests never call NVML per request", async () => {
  await using nvml = await fakeNvml({ gpuCount: 2 });
  const h = await startServerHarness({ AIKORE_NVML_LIBRARY: nvml.library });
  try {
    assertEquals(nvml.initCount(), 1);
    const info = await (await h.fetch("/api/system/info")).json();
    assertEquals(info.gpu_count, 2);
    assertEquals(info.gpus[0].name, "NVIDIA H100 80GB HBM3");
    assert(info.gpus[0].uuid.startsWith("GPU-"));
    assertEquals(info.gpu_telemetry.available, true);
    const afterInfo = nvml.callCount();
    for (let i = 0; i < 20; i++) await (await h.fetch("/api/system/info")).json();
    assertEquals(nvml.callCount(), afterInfo, "GPU info is static: no NVML call per request");

    const stats = await (await h.fetch("/api/system/stats")).json();
    assertEquals(stats.gpus.length, 2);
    assert(stats.gpus[0].vram.total > 0 && stats.gpus[0].temperature_c !== null);
    const afterOne = nvml.callCount();
    for (let i = 0; i < 20; i++) await (await h.fetch("/api/system/stats")).json();
    assert(
      nvml.callCount() - afterOne <= (afterOne - afterInfo) * 2,
      "stats requests share one sample per second",
    );

    const badGpu = await h.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({ name: "gpu", base_blueprint: "http_app.sh", gpu_ids: "2" }),
    });
    assertEquals(badGpu.status, 422, "GPU ids are checked against the real GPU count");
    await badGpu.body?.cancel();
    assertEquals(nvml.initCount(), 1, "NVML was initialised once");
  } finally {
    await h.close();
  }
});

Deno.test("each GPU lists its processes: pid, name, VRAM, and whose they are", async () => {
  const other = new Deno.Command("sleep", { args: ["60"] }).spawn();
  await using nvml = await fakeNvml({
    gpuCount: 2,
    pids: [{ pid: other.pid, bytes: 3 * 2 ** 30 }, { pid: Deno.pid, bytes: null }],
  });
  const h = await startServerHarness({ AIKORE_NVML_LIBRARY: nvml.library });
  try {
    const stats = await (await h.fetch("/api/system/stats")).json();
    assertEquals(stats.attribution.status, "ok");
    assertEquals(stats.gpus[0].processes, [
      { pid: other.pid, name: "sleep", vram_bytes: 3 * 2 ** 30, instance_id: null },
      { pid: Deno.pid, name: "deno", vram_bytes: null, instance_id: null },
    ]);
    assertEquals(stats.gpus[1].processes, []);
  } finally {
    await h.close();
    other.kill();
    await other.status;
  }
});

Deno.test("without NVML the server says why and everything else works", async () => {
  const h = await startServerHarness();
  try {
    const info = await (await h.fetch("/api/system/info")).json();
    assertEquals(info.gpu_count, 0);
    assertEquals(info.gpu_telemetry.available, false);
    assert(info.gpu_telemetry.reason.startsWith("no GPU telemetry"), info.gpu_telemetry.reason);
    const stats = await (await h.fetch("/api/system/stats")).json();
    assertEquals(stats.gpus, []);
    assert(stats.ram.total > 0 && stats.disk.total > 0);
  } finally {
    await h.close();
  }
});

Deno.test("a Python-AiKore database found at first start is offered, previewed and imported", async () => {
  const h = await startServerHarness({}, {
    prepare: (dataDir) => void buildLegacyDb(`${dataDir}/aikore.db`, 5),
  });
  try {
    assert(
      h.server.legacyDatabase?.includes("aikore.legacy-"),
      "moved aside, a fresh database created",
    );
    assert(h.server.startupNotices.some((line) => line.includes("import-db")));
    const offer = await (await h.fetch("/api/system/legacy-import")).json();
    assertEquals(offer.available, true);
    assertEquals(offer.preview.dryRun, true);
    assertEquals(
      (await (await h.fetch("/api/instances")).json()).length,
      0,
      "the preview wrote nothing",
    );
    const importWith = async (body: Record<string, boolean>) =>
      await (await h.fetch("/api/system/legacy-import", {
        method: "POST",
        body: JSON.stringify(body),
      }))
        .json();
    const preview = await importWith({ accept_proposed_slugs: true, dry_run: true });
    assert(
      preview.imported.length > offer.preview.imported.length,
      "proposed slugs bring more across",
    );
    const report = await importWith({ accept_proposed_slugs: true });
    assertEquals(report.dryRun, false);
    assertEquals(report.imported.length, preview.imported.length);
    const listed = await (await h.fetch("/api/instances")).json() as Array<
      { slug: string; parent_instance_id: number | null }
    >;
    assertEquals(listed.length, report.imported.length);
    assert(listed.some((i) => i.slug === "comfyui"));
    assert(listed.some((i) => i.parent_instance_id !== null), "satellites come across");
    assertEquals(h.server.services.audit.list({ limit: 5, action: "legacy.import" }).length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("usage history: recorded from the start with nobody watching, per GPU, and asked for by range", async () => {
  await using nvml = await fakeNvml({ gpuCount: 2 });
  const h = await startServerHarness({ AIKORE_NVML_LIBRARY: nvml.library });
  try {
    // No page and no event stream is open: the server records the first sample as it starts.
    // The sample may fall in the bucket before the one that holds now: look for it, not at(-1).
    const recorded = (series: (number | null)[]) => series.findLast((v) => v !== null) ?? null;
    let history = await (await h.fetch("/api/system/stats/history?hours=1")).json();
    for (let i = 0; i < 100 && recorded(history.cpu_percent) === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      history = await (await h.fetch("/api/system/stats/history?hours=1")).json();
    }
    assertEquals(history.hours, 1);
    assertEquals(history.step_ms, 10_000);
    assertEquals(history.cpu_percent.length, 360);
    assert(history.from + 360 * 10_000 > Date.now(), "the last bucket holds now");
    const last = recorded(history.cpu_percent);
    assert(typeof last === "number" && last >= 0 && last <= 100, `cpu ${last}`);
    assertEquals(history.cpu_percent.filter((v: number | null) => v !== null).length, 1);
    assertEquals(history.gpus.map((g: { id: number }) => g.id), [0, 1]);
    const vram = recorded(history.gpus[1].vram_percent);
    assert(typeof vram === "number" && vram > 0 && vram <= 100, `vram ${vram}`);

    const week = await (await h.fetch("/api/system/stats/history?hours=168")).json();
    assertEquals([week.step_ms, week.cpu_percent.length], [1_800_000, 336], "5-minute averages");
    assert(recorded(week.cpu_percent) !== null, "the averages hold the latest sample");
    for (const hours of ["2", "0", "-1", "1e3", "abc", ""]) {
      const refused = await h.fetch(`/api/system/stats/history?hours=${hours}`);
      const body = await refused.json();
      assertEquals(refused.status, 422, hours);
      assertEquals(body.error.details[0].field, "hours");
    }
  } finally {
    await h.close();
  }
});

Deno.test("a GPU that stops answering NVML in the middle of a run is told to the webhook once, with nobody watching", async () => {
  await using nvml = await fakeNvml({ gpuCount: 2 });
  const hook = startWebhookReceiver();
  const h = await startServerHarness({ AIKORE_NVML_LIBRARY: nvml.library });
  try {
    const set = await h.fetch("/api/system/notifications", {
      method: "PUT",
      body: JSON.stringify({ url: `${hook.url}/n`, format: "json", events: ["gpu_lost"] }),
    });
    assertEquals(set.status, 200, await set.text());
    // GPU 1 falls off the bus: every query of it fails with NVML_ERROR_GPU_IS_LOST (15).
    nvml.setFailures("nvmlDeviceGetMemoryInfo_v2@1=15,nvmlDeviceGetMemoryInfo@1=15");
    // The usage recorder samples every 10 s, whether or not a page is open.
    const told = JSON.parse((await hook.nth(1)).body);
    assertEquals([told.event, told.title], [
      "gpu_lost",
      "AiKore: GPU 1 stopped answering the driver",
    ]);
    assertEquals(told.gpu.index, 1);
    assertEquals(told.instances, []);
    const stats = await (await h.fetch("/api/system/stats")).json();
    assertEquals(
      stats.gpus.map((g: { id: number }) => g.id),
      [0],
      "GPU 1 is left out of the figures",
    );
    assertEquals(hook.received.length, 1, "told once");
  } finally {
    await h.close();
    await hook.close();
  }
});
