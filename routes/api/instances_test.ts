import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { listDir, startHarness } from "../../tests/helpers/harness.ts";

const HTTP_APP = "http_app.sh";

Deno.test("create makes the row, the folder and launch.sh from the blueprint", async () => {
  const h = await startHarness();
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "comfy-1",
      base_blueprint: HTTP_APP,
      gpu_ids: "1",
    });
    assertEquals(created.status, 201);
    assertEquals(created.body.slug, "comfy-1");
    assertEquals(created.body.status, "stopped");
    assertEquals(created.body.gpu_ids, "1");
    assertEquals(created.body.output_path, "comfy-1");
    assert(typeof created.body.port === "number");
    const script = await Deno.readTextFile(`${h.dataDir}/instances/comfy-1/launch.sh`);
    assertEquals(
      script,
      await Deno.readTextFile(
        new URL("../../tests/fixtures/blueprints/http_app.sh", import.meta.url),
      ),
    );
    const listed = await h.json("GET", "/api/instances");
    assertEquals(listed.body.map((i: { slug: string }) => i.slug), ["comfy-1"]);
    const one = await h.json("GET", `/api/instances/${created.body.id}`);
    assertEquals(one.body.name, "comfy-1");
    assertEquals(one.body.urls.port, null, "not published while the gateway is off");
    assertEquals(one.body.published.ok, false);
  } finally {
    await h.close();
  }
});

Deno.test("a display name with spaces needs an explicit slug, which names the folder", async () => {
  const h = await startHarness();
  try {
    const refused = await h.json("POST", "/api/instances", {
      name: "My Comfy",
      base_blueprint: HTTP_APP,
    });
    assertEquals(refused.status, 422);
    assertEquals(refused.body.error.details[0].field, "name");
    const ok = await h.json("POST", "/api/instances", {
      name: "My Comfy",
      slug: "my-comfy",
      base_blueprint: HTTP_APP,
    });
    assertEquals(ok.status, 201);
    assertEquals(await listDir(`${h.dataDir}/instances`), ["my-comfy"]);
  } finally {
    await h.close();
  }
});

Deno.test("a failed create leaves no row and no folder", async () => {
  const h = await startHarness();
  try {
    const missing = await h.json("POST", "/api/instances", {
      name: "a1",
      base_blueprint: "Nope.sh",
    });
    assertEquals(missing.status, 422);
    assertEquals(missing.body.error.details[0].field, "base_blueprint");
    // The instances folder replaced by a file: the folder cannot be made after the row insert.
    await Deno.remove(`${h.dataDir}/instances`, { recursive: true });
    await Deno.writeTextFile(`${h.dataDir}/instances`, "not a folder");
    const broken = await h.request("POST", "/api/instances", {
      name: "a2",
      base_blueprint: HTTP_APP,
    });
    assertEquals(broken.status, 500);
    const body = await broken.json();
    assertEquals(body.error.message, "Internal server error", "no internals leak");
    assertEquals(h.services.store.repo.count(), 0);
  } finally {
    await h.close();
  }
});

Deno.test("update applies live fields at once and renaming the slug moves the folder", async () => {
  const h = await startHarness();
  try {
    const { body } = await h.json("POST", "/api/instances", {
      name: "old",
      base_blueprint: HTTP_APP,
    });
    await Deno.writeTextFile(`${h.dataDir}/instances/old/marker.txt`, "mine");
    const live = await h.json("PUT", `/api/instances/${body.id}`, {
      autostart: true,
      hostname: "comfy.example.com",
      use_custom_hostname: true,
      restart_policy: "on-failure",
    });
    assertEquals(live.status, 200);
    assertEquals(live.body.autostart, true);
    assertEquals(live.body.urls.custom, "http://comfy.example.com/");
    const renamed = await h.json("PUT", `/api/instances/${body.id}`, {
      name: "Fresh",
      slug: "fresh",
    });
    assertEquals(renamed.status, 200);
    assertEquals(renamed.body.slug, "fresh");
    assertEquals(renamed.body.name, "Fresh");
    assertEquals(await listDir(`${h.dataDir}/instances`), ["fresh"]);
    assertEquals(await Deno.readTextFile(`${h.dataDir}/instances/fresh/marker.txt`), "mine");
    const unknownField = await h.json("PUT", `/api/instances/${body.id}`, { bogus: 1 });
    assertEquals(unknownField.status, 422);
  } finally {
    await h.close();
  }
});

Deno.test("changing the blueprint asks to confirm that launch.sh is replaced", async () => {
  const h = await startHarness();
  try {
    const { body } = await h.json("POST", "/api/instances", {
      name: "bp",
      base_blueprint: HTTP_APP,
    });
    await Deno.writeTextFile(`${h.dataDir}/instances/bp/launch.sh`, "# my edits\n");
    const refused = await h.json("PUT", `/api/instances/${body.id}`, {
      base_blueprint: "log_ready.sh",
    });
    assertEquals(refused.status, 409);
    assertEquals(refused.body.error.code, "confirmation_required");
    assertEquals(await Deno.readTextFile(`${h.dataDir}/instances/bp/launch.sh`), "# my edits\n");
    const done = await h.json("PUT", `/api/instances/${body.id}`, {
      base_blueprint: "log_ready.sh",
      replace_script: true,
    });
    assertEquals(done.status, 200);
    assert((await Deno.readTextFile(`${h.dataDir}/instances/bp/launch.sh`)).includes("READY"));
  } finally {
    await h.close();
  }
});

Deno.test("satellites: no folder until started, parent's script, locked fields, parent not deletable", async () => {
  const h = await startHarness();
  try {
    const parent =
      (await h.json("POST", "/api/instances", { name: "parent", base_blueprint: HTTP_APP })).body;
    const sat = await h.json("POST", `/api/instances/${parent.id}/instantiate`, {
      new_name: "sat-1",
    });
    assertEquals(sat.status, 201);
    assertEquals(sat.body.parent_instance_id, parent.id);
    assertEquals(sat.body.base_blueprint, HTTP_APP);
    assert(sat.body.port !== parent.port);
    assertEquals(await listDir(`${h.dataDir}/instances`), ["parent"], "lazy provisioning");

    const script = await h.json("GET", `/api/instances/${sat.body.id}/file?file_type=script`);
    assertEquals(script.body.source, "parent");
    const write = await h.json("PUT", `/api/instances/${sat.body.id}/file?file_type=script`, {
      content: "x",
    });
    assertEquals(write.status, 403);
    for (const field of ["base_blueprint", "output_path"]) {
      const locked = await h.json("PUT", `/api/instances/${sat.body.id}`, { [field]: "other.sh" });
      assertEquals(locked.status, 422);
      assertEquals(locked.body.error.details[0].field, field);
    }
    const ownGpu = await h.json("PUT", `/api/instances/${sat.body.id}`, { gpu_ids: "0" });
    assertEquals(ownGpu.status, 200);
    const nested = await h.json("POST", `/api/instances/${sat.body.id}/instantiate`, {
      new_name: "sat-2",
    });
    assertEquals(nested.status, 409);

    const del = await h.json("DELETE", `/api/instances/${parent.id}`, { mode: "permanent" });
    assertEquals(del.status, 409);
    assert(del.body.error.message.includes("sat-1"), del.body.error.message);
    assertEquals(await listDir(`${h.dataDir}/instances`), ["parent"]);
  } finally {
    await h.close();
  }
});

Deno.test("delete to trash, list, restore with its port, then purge; outputs are kept", async () => {
  const h = await startHarness();
  try {
    const created =
      (await h.json("POST", "/api/instances", { name: "trashy", base_blueprint: HTTP_APP })).body;
    await Deno.mkdir(`${h.dataDir}/outputs/trashy`, { recursive: true });
    await Deno.writeTextFile(`${h.dataDir}/outputs/trashy/image.png`, "png");
    const deleted = await h.json("DELETE", `/api/instances/${created.id}`);
    assertEquals(deleted.status, 200);
    assertEquals(await listDir(`${h.dataDir}/instances`), []);
    assertEquals(await listDir(`${h.dataDir}/outputs/trashy`), ["image.png"]);
    const trash = await h.json("GET", "/api/trash");
    assertEquals(trash.body.entries.length, 1);
    assertEquals(trash.body.entries[0].slug, "trashy");

    const restored = await h.json("POST", `/api/trash/${trash.body.entries[0].id}/restore`);
    assertEquals(restored.status, 201);
    assertEquals(restored.body.port, created.port);
    assert((await Deno.readTextFile(`${h.dataDir}/instances/trashy/launch.sh`)).length > 0);
    assertEquals((await h.json("GET", "/api/trash")).body.entries, []);

    await h.json("DELETE", `/api/instances/${restored.body.id}`);
    const again = await h.json("POST", "/api/instances", {
      name: "trashy",
      base_blueprint: HTTP_APP,
    });
    const conflict = await h.json("DELETE", `/api/instances/${again.body.id}`);
    assertEquals(conflict.status, 409);
    assertEquals(conflict.body.error.code, "trash_conflict");
    const overwrite = await h.json("DELETE", `/api/instances/${again.body.id}`, {
      overwrite: true,
    });
    assertEquals(overwrite.status, 200);
    const entries = (await h.json("GET", "/api/trash")).body.entries;
    assertEquals(entries.length, 1);
    const purged = await h.json("DELETE", `/api/trash/${entries[0].id}`);
    assertEquals(purged.status, 200);
    assertEquals(await listDir(`${h.dataDir}/trash`), []);
    assertEquals((await h.json("DELETE", "/api/trash/..%2f..%2fetc")).status, 404);
  } finally {
    await h.close();
  }
});

Deno.test("clone copies the folder in the background, keeping symlinks and rewriting paths", async () => {
  const h = await startHarness();
  try {
    const source =
      (await h.json("POST", "/api/instances", { name: "src", base_blueprint: HTTP_APP })).body;
    const dir = `${h.dataDir}/instances/src`;
    await Deno.writeTextFile(`${dir}/launch.sh`, `#!/bin/bash\ncd ${dir}/app\n`);
    await Deno.mkdir(`${dir}/app`);
    await Deno.mkdir(`${h.dataDir}/models`);
    await Deno.symlink(`${h.dataDir}/models`, `${dir}/app/models`);
    await Deno.mkdir(`${dir}/env/bin`, { recursive: true });
    const copy = await h.json("POST", `/api/instances/${source.id}/copy`, { new_name: "dst" });
    assertEquals(copy.status, 202);
    assertEquals(copy.body.status, "installing");
    await h.services.instances.settled();
    const done = await h.json("GET", `/api/instances/${copy.body.id}`);
    assertEquals(done.body.status, "stopped");
    const target = `${h.dataDir}/instances/dst`;
    assertEquals(await Deno.readTextFile(`${target}/launch.sh`), `#!/bin/bash\ncd ${target}/app\n`);
    assert((await Deno.lstat(`${target}/app/models`)).isSymlink, "symlink kept as a link");
    assertEquals(await listDir(target), ["app", "launch.sh"], "the environment is not copied");
    assert(done.body.status_message.includes("first start"));
  } finally {
    await h.close();
  }
});

Deno.test("display order is stored server-side and validated", async () => {
  const h = await startHarness();
  try {
    const a =
      (await h.json("POST", "/api/instances", { name: "a", base_blueprint: HTTP_APP })).body;
    const b =
      (await h.json("POST", "/api/instances", { name: "b", base_blueprint: HTTP_APP })).body;
    assertEquals((await h.json("PUT", "/api/display-order", { order: [b.id, a.id] })).status, 200);
    assertEquals((await h.json("GET", "/api/display-order")).body.order, [b.id, a.id]);
    assertEquals((await h.json("GET", "/api/instances")).body.map((i: { id: number }) => i.id), [
      b.id,
      a.id,
    ]);
    const bad = await h.json("PUT", "/api/display-order", { order: [a.id, 999] });
    assertEquals(bad.status, 422);
    assertEquals(bad.body.error.details[0].field, "order");
    assertEquals((await h.json("GET", "/api/display-order")).body.order, [b.id, a.id]);
  } finally {
    await h.close();
  }
});

Deno.test("custom blueprints: saved, listed with category, duplicates and bad metadata refused", async () => {
  const h = await startHarness();
  try {
    const content =
      "### AIKORE-METADATA-START ###\n# aikore.category = Mine\n### AIKORE-METADATA-END ###\n";
    const saved = await h.json("POST", "/api/system/blueprints/custom", {
      filename: "Mine.sh",
      content,
    });
    assertEquals(saved.status, 201);
    const again = await h.json("POST", "/api/system/blueprints/custom", {
      filename: "Mine.sh",
      content,
    });
    assertEquals(again.status, 409);
    const badName = await h.json("POST", "/api/system/blueprints/custom", {
      filename: "../x.sh",
      content,
    });
    assertEquals(badName.status, 422);
    const badMeta = await h.json("POST", "/api/system/blueprints/custom", {
      filename: "Bad.sh",
      content:
        "### AIKORE-METADATA-START ###\n# aikore.start_timeout = soon\n### AIKORE-METADATA-END ###\n",
    });
    assertEquals(badMeta.status, 422);
    const list = await h.json("GET", "/api/system/blueprints");
    assertEquals(list.body.custom.map((b: { filename: string }) => b.filename), ["Mine.sh"]);
    assertEquals(list.body.custom[0].category, "Mine");
    assert(list.body.stock.some((b: { filename: string }) => b.filename === HTTP_APP));
  } finally {
    await h.close();
  }
});

Deno.test("available ports exclude ports held by instances", async () => {
  const h = await startHarness();
  try {
    const before = (await h.json("GET", "/api/system/available-ports")).body.available_ports;
    const created =
      (await h.json("POST", "/api/instances", { name: "p", base_blueprint: HTTP_APP })).body;
    const after = (await h.json("GET", "/api/system/available-ports")).body.available_ports;
    assertEquals(after, before.filter((p: number) => p !== created.port));
    assertEquals(created.port, before[0]);
  } finally {
    await h.close();
  }
});

Deno.test("20 concurrent creates asking for the same port: exactly one succeeds", async () => {
  const h = await startHarness();
  try {
    const port = h.config.portRange.start + 3;
    const results = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          h.json("POST", "/api/instances", { name: `race-${i}`, base_blueprint: HTTP_APP, port }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    assertEquals(statuses.filter((s) => s === 201).length, 1);
    assertEquals(statuses.filter((s) => s === 409).length, 19);
    assertEquals(h.services.store.repo.count(), 1);
    assertEquals((await listDir(`${h.dataDir}/instances`)).length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("the OpenAPI document lists every API route the router knows", async () => {
  const h = await startHarness();
  try {
    const doc = (await h.json("GET", "/api/openapi.json")).body;
    const documented = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(methods)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const routed = h.app.routes
      .filter((r) => r.path.startsWith("/api/") && r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`);
    assert(routed.length >= 15, `only ${routed.length} routes`);
    for (const route of routed) {
      assert(documented.has(route), `${route} is not in the OpenAPI document`);
    }
  } finally {
    await h.close();
  }
});

Deno.test("T15: the script editor never follows a symlink out of the instances folder", async () => {
  const h = await startHarness();
  const canary = await Deno.makeTempFile({ prefix: "aikore-canary-" });
  await Deno.writeTextFile(canary, "secret");
  try {
    const a =
      (await h.json("POST", "/api/instances", { name: "linked", base_blueprint: HTTP_APP })).body;
    const script = `${h.dataDir}/instances/linked/launch.sh`;
    await Deno.remove(script);
    await Deno.symlink(canary, script);
    const read = await h.json("GET", `/api/instances/${a.id}/file`);
    assertEquals(read.status, 409);
    assert(!JSON.stringify(read.body).includes("secret"));
    const write = await h.json("PUT", `/api/instances/${a.id}/file`, { content: "pwned" });
    assertEquals(write.status, 409);

    const b =
      (await h.json("POST", "/api/instances", { name: "moved", base_blueprint: HTTP_APP })).body;
    const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
    await Deno.writeTextFile(`${outside}/launch.sh`, "outside");
    await Deno.remove(`${h.dataDir}/instances/moved`, { recursive: true });
    await Deno.symlink(outside, `${h.dataDir}/instances/moved`);
    assertEquals((await h.json("GET", `/api/instances/${b.id}/file`)).status, 409);
    assertEquals(
      (await h.json("PUT", `/api/instances/${b.id}/file`, { content: "pwned" })).status,
      409,
    );
    assertEquals(await Deno.readTextFile(`${outside}/launch.sh`), "outside");
    assertEquals(await Deno.readTextFile(canary), "secret");
    await Deno.remove(outside, { recursive: true });
  } finally {
    await Deno.remove(canary);
    await h.close();
  }
});
