/** Issue 16 §5: restore treats the trash manifest as untrusted input; invalid rows stay deletable. */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";

const TAMPERED: Array<[string, unknown, string]> = [
  ["outputPath", "../../../../tmp/escaped", "config.outputPath"],
  ["hostname", "evil.com;\n  include /etc/nginx/x", "config.hostname"],
  ["gpuIds", "0;id", "config.gpuIds"],
  ["slug", "../up", "config.slug"],
  ["port", "80; listen 1", "config.port"],
  ["restartPolicy", "always", "config.restartPolicy"],
];

Deno.test("restore refuses a tampered manifest with a 422 naming the field; nothing is inserted", async () => {
  const h = await startHarness();
  try {
    for (const [field, value, reported] of TAMPERED) {
      const made = await h.json("POST", "/api/instances", {
        name: "tamper",
        base_blueprint: "http_app.sh",
      });
      assertEquals(made.status, 201);
      const removed = await h.json("DELETE", `/api/instances/${made.body.id}`, { mode: "trash" });
      const entry = removed.body.trash_id as string;
      const path = `${h.dataDir}/trash/${entry}/.aikore-trash.json`;
      const manifest = JSON.parse(await Deno.readTextFile(path));
      manifest.config[field] = value;
      await Deno.writeTextFile(path, JSON.stringify(manifest));
      const restored = await h.json("POST", `/api/trash/${entry}/restore`);
      assertEquals(restored.status, 422, `${field}: ${JSON.stringify(restored.body)}`);
      assertEquals(restored.body.error.code, "invalid_trash_manifest");
      assertEquals(restored.body.error.details[0].field, reported);
      assert(restored.body.error.message.includes(reported), restored.body.error.message);
      assertEquals((await h.json("GET", "/api/instances")).body.length, 0, `${field}: no row`);
      assert((await Deno.stat(`${h.dataDir}/trash/${entry}`)).isDirectory, "the entry stays");
      assertEquals((await h.json("DELETE", `/api/trash/${entry}`)).status, 200);
    }
    // An untampered entry still restores.
    const made = await h.json("POST", "/api/instances", {
      name: "fine",
      base_blueprint: "http_app.sh",
    });
    const removed = await h.json("DELETE", `/api/instances/${made.body.id}`, { mode: "trash" });
    assertEquals((await h.json("POST", `/api/trash/${removed.body.trash_id}/restore`)).status, 201);
  } finally {
    await h.close();
  }
});

Deno.test("an instance row with invalid stored values can always be deleted", async () => {
  const h = await startHarness();
  try {
    const a = await h.json("POST", "/api/instances", {
      name: "bad-gpu",
      base_blueprint: "http_app.sh",
    });
    const b = await h.json("POST", "/api/instances", {
      name: "bad-slug",
      base_blueprint: "http_app.sh",
    });
    h.services.db.prepare("UPDATE instances SET gpu_ids = '0;id' WHERE id = ?").run(a.body.id);
    h.services.db.prepare("UPDATE instances SET slug = '../../etc' WHERE id = ?").run(b.body.id);
    const blocked = await h.json("POST", `/api/instances/${a.body.id}/start`);
    assertEquals(blocked.status, 409, "still unusable until deleted");
    const trashed = await h.json("DELETE", `/api/instances/${a.body.id}`, { mode: "trash" });
    assertEquals(trashed.status, 200, JSON.stringify(trashed.body));
    const gone = await h.json("DELETE", `/api/instances/${b.body.id}`, { mode: "permanent" });
    assertEquals(gone.status, 200, JSON.stringify(gone.body));
    assertEquals((await h.json("GET", "/api/instances")).body.length, 0);
    assert(
      (await Deno.stat(`${h.dataDir}/instances/bad-slug`)).isDirectory,
      "a bad slug names no folder: files stay",
    );
  } finally {
    await h.close();
  }
});
