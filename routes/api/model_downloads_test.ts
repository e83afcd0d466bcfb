/**
 * Model downloads through the API: added, followed by a waiting listing until done, paused and
 * resumed, removed; bad input refused with the field and nothing added; audited without tokens.
 */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";
import { payloadOf, serveFile } from "../../lib/downloads/test_support.ts";
import type { ModelDownloadList, ModelDownloadView } from "../../lib/shared/model_download.ts";

const MIB = 1024 * 1024;

Deno.test("model downloads: added, followed until done, paused and resumed, removed", async () => {
  const h = await startHarness();
  const server = serveFile(payloadOf(2 * MIB));
  try {
    const root = h.services.paths.modelsRoot;
    await Deno.mkdir(`${root}/loras`, { recursive: true });
    const empty = (await h.json("GET", "/api/system/models/downloads")).body as ModelDownloadList;
    assertEquals(empty.downloads, []);

    server.behaviour.holdAfter = MIB;
    const added = await h.json("POST", "/api/system/models/downloads", {
      url: `${server.url}/style.safetensors?token=abc`,
      folder: "loras",
      token: "civitai-token",
    });
    assertEquals(added.status, 202);
    const id = (added.body as ModelDownloadView).id;
    assertEquals(added.body.source, `${server.url}/style.safetensors`, "shown without its query");

    // A waiting listing answers when something changed, long before its 20 s.
    let list = empty;
    let view: ModelDownloadView | undefined;
    const started = Date.now();
    while (view?.bytes !== MIB) {
      const answer = await h.json(
        "GET",
        `/api/system/models/downloads?since=${list.version}&wait=20`,
      );
      list = answer.body as ModelDownloadList;
      view = list.downloads.find((d) => d.id === id);
      assert(Date.now() - started < 15_000, `stuck at ${JSON.stringify(view)}`);
    }
    assertEquals(
      (await h.json("POST", `/api/system/models/downloads/${id}/pause`)).body.status,
      "paused",
    );
    assertEquals((await h.json("POST", `/api/system/models/downloads/${id}/pause`)).status, 409);
    server.behaviour.holdAfter = null;
    const resumed = await h.json("POST", `/api/system/models/downloads/${id}/resume`, {});
    assert(["queued", "downloading"].includes(resumed.body.status), resumed.body.status);
    while (view?.status !== "done") {
      const answer = await h.json(
        "GET",
        `/api/system/models/downloads?since=${list.version}&wait=20`,
      );
      list = answer.body as ModelDownloadList;
      view = list.downloads.find((d) => d.id === id);
      assert(view?.status !== "failed", view?.message ?? "");
    }
    assertEquals(await Deno.readFile(`${root}/loras/style.safetensors`), server.payload);
    assertEquals(server.requests.map((r) => r.range), [null, `bytes=${MIB}-`]);
    assertEquals(server.requests[0]?.authorization, "Bearer civitai-token");

    assertEquals((await h.json("DELETE", `/api/system/models/downloads/${id}`)).status, 204);
    assertEquals((await h.json("DELETE", `/api/system/models/downloads/${id}`)).status, 404);
    assert((await Deno.stat(`${root}/loras/style.safetensors`)).isFile, "the file stays");

    const audit = h.services.audit.list({ limit: 10 }).map((e) => `${e.action} ${e.target}`);
    assert(audit.includes(`model.download ${server.url}/style.safetensors`), audit.join(", "));
    assert(audit.includes(`model.download.remove ${id}`), audit.join(", "));
    const secrets = ["civitai-token", "token=abc"];
    assert(!audit.some((line) => secrets.some((t) => line.includes(t))), audit.join(", "));
  } finally {
    await server.close();
    await h.close();
  }
});

Deno.test("model downloads: bad input is refused with its field, and nothing is added", async () => {
  const h = await startHarness();
  try {
    const root = h.services.paths.modelsRoot;
    await Deno.mkdir(root, { recursive: true });
    await Deno.writeTextFile(`${root}/exists.bin`, "mine");
    const post = (body: unknown) => h.json("POST", "/api/system/models/downloads", body);
    const cases: [unknown, number, string | null][] = [
      [{ url: "ftp://example.com/x.bin" }, 422, "url"],
      [{ url: "javascript:alert(1)" }, 422, "url"],
      [{ url: "https://user:pw@example.com/x.bin" }, 422, "url"],
      [{ url: "not a url" }, 422, "url"],
      [{ url: "https://example.com/x.bin", folder: "../outside" }, 422, "folder"],
      [{ url: "https://example.com/x.bin", folder: "/etc" }, 422, "folder"],
      [{ url: "https://example.com/x.bin", name: "a/b.bin" }, 422, "name"],
      [{ url: "https://example.com/x.bin", name: ".hidden" }, 422, "name"],
      [{ url: "https://example.com/x.bin", token: "has space" }, 422, "token"],
      [{ url: "https://example.com/x.bin", extra: 1 }, 422, null],
      [{ url: "https://example.com/x.bin", folder: "missing" }, 404, null],
      [{ url: "https://example.com/x.bin", name: "exists.bin" }, 409, null],
    ];
    for (const [body, status, field] of cases) {
      const answer = await post(body);
      assertEquals(answer.status, status, JSON.stringify(body));
      if (field !== null) {
        const fields = (answer.body.error.details as { field: string }[]).map((d) => d.field);
        assertEquals(fields, [field], JSON.stringify(body));
      }
    }
    assertEquals((await h.json("GET", "/api/system/models/downloads")).body.downloads, []);
    assertEquals(await Deno.readTextFile(`${root}/exists.bin`), "mine");
    assertEquals((await h.json("GET", "/api/system/models/downloads?wait=99")).status, 422);
    assertEquals((await h.json("POST", "/api/system/models/downloads/7/resume", {})).status, 404);
    const notAnId = await h.json("POST", "/api/system/models/downloads/x/pause");
    assertEquals([notAnId.status, notAnId.body.error.message], [404, "Download not found"]);
  } finally {
    await h.close();
  }
});

Deno.test("model downloads: AiKore stopped in the middle goes on with the download when it starts again", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-test-" });
  const server = serveFile(payloadOf(2 * MIB));
  try {
    server.behaviour.holdAfter = MIB;
    const first = await startHarness({ dataDir });
    let id = 0;
    try {
      const added = await first.json("POST", "/api/system/models/downloads", {
        url: `${server.url}/base.safetensors`,
      });
      id = added.body.id;
      let list = (await first.json("GET", "/api/system/models/downloads"))
        .body as ModelDownloadList;
      while (list.downloads[0]?.bytes !== MIB) {
        list = (await first.json(
          "GET",
          `/api/system/models/downloads?since=${list.version}&wait=20`,
        )).body;
      }
    } finally {
      await first.close(); // AiKore goes: the transfer is cut, the download is kept
    }
    server.behaviour.holdAfter = null;
    const second = await startHarness({ dataDir });
    try {
      let list = (await second.json("GET", "/api/system/models/downloads"))
        .body as ModelDownloadList;
      const started = Date.now();
      while (list.downloads[0]?.status !== "done") {
        assert(Date.now() - started < 15_000, JSON.stringify(list.downloads[0]));
        list = (await second.json(
          "GET",
          `/api/system/models/downloads?since=${list.version}&wait=20`,
        )).body;
      }
      assertEquals(list.downloads[0]?.id, id);
      const root = second.services.paths.modelsRoot;
      assertEquals(await Deno.readFile(`${root}/base.safetensors`), server.payload);
      assertEquals(server.requests.map((r) => r.range), [null, `bytes=${MIB}-`]);
    } finally {
      await second.close();
    }
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
