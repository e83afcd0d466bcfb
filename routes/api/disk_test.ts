/**
 * Where the data folder's space goes: measured with the real `du` on the harness's real data
 * folder, each folder named by the instance, satellite or trash entry it belongs to.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";
import type { DiskFolder, DiskUsageReport } from "../../lib/shared/disk_usage.ts";

const HTTP_APP = "http_app.sh";

function folder(parent: DiskFolder | null | undefined, ...names: string[]): DiskFolder {
  let at = parent;
  for (const name of names) at = at?.folders.find((f) => f.name === name);
  assert(at, `no folder ${names.join("/")}`);
  return at;
}

async function randomFile(path: string, bytes: number): Promise<void> {
  const data = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65536) crypto.getRandomValues(data.subarray(at, at + 65536));
  await Deno.writeFile(path, data);
}

Deno.test("disk usage: measured on demand, each folder named by what it belongs to", async () => {
  const h = await startHarness();
  try {
    const before = await h.json<DiskUsageReport>("GET", "/api/system/disk");
    assertEquals(before.status, 200);
    assertEquals(before.body.state, "none", "nothing is measured until asked");
    assertEquals(before.body.root, null);

    const created = await h.json("POST", "/api/instances", {
      name: "Comfy Main",
      slug: "comfy-main",
      base_blueprint: HTTP_APP,
      output_path: "comfy",
    });
    assertEquals(created.status, 201, JSON.stringify(created.body));
    const comfy = created.body;
    const sat = (await h.json("POST", `/api/instances/${comfy.id}/instantiate`, {
      new_name: "comfy-gpu1",
    })).body;
    await Deno.mkdir(`${h.dataDir}/instances/comfy-gpu1`, { recursive: true });
    const old = (await h.json("POST", "/api/instances", { name: "old", base_blueprint: HTTP_APP }))
      .body;
    assertEquals((await h.json("DELETE", `/api/instances/${old.id}`)).status, 200);
    const env = `${h.dataDir}/instances/comfy-main/env`;
    await Deno.mkdir(env, { recursive: true });
    await randomFile(`${env}/torch.so`, 2 * 1048576);
    await Deno.mkdir(`${h.dataDir}/outputs/comfy`, { recursive: true });
    await randomFile(`${h.dataDir}/outputs/comfy/image.png`, 300_000);
    await Deno.mkdir(`${h.dataDir}/outputs/by-hand`, { recursive: true });
    await Deno.mkdir(`${h.dataDir}/instances/left-behind`, { recursive: true });

    const started = await h.json<DiskUsageReport>("POST", "/api/system/disk/measure");
    assertEquals(started.status, 202);
    assertEquals(started.body.state, "measuring");
    const done = await h.json<DiskUsageReport>(
      "GET",
      `/api/system/disk?since=${started.body.version}&wait=30`,
    );
    assertEquals(done.body.state, "done", done.body.problem ?? "");
    assertEquals(done.body.problem, null);
    const root = done.body.root;
    assert(root && root.bytes > 2 * 1048576, `root ${root?.bytes}`);
    assert((done.body.disk?.total ?? 0) > 0);
    assertMatch(done.body.measured_at ?? "", /^\d{4}-/);

    assertEquals(folder(root, "instances").label, "instances: apps, environments and logs");
    const main = folder(root, "instances", "comfy-main");
    assertEquals(main.label, 'instance "Comfy Main"');
    assert(main.bytes >= 2 * 1048576, "its environment counts in it");
    assertEquals(folder(main, "env").label, "its environment (venv or conda)");
    assertEquals(main.folders[0]?.name, "env", "largest first");
    assertEquals(
      folder(root, "instances", "comfy-gpu1").label,
      `satellite "comfy-gpu1" of "Comfy Main"`,
    );
    assertEquals(folder(root, "instances", "left-behind").label, "no instance has this folder");
    assertEquals(
      folder(root, "outputs", "comfy").label,
      `outputs of "Comfy Main", "comfy-gpu1"`,
      "a satellite writes to its parent's outputs",
    );
    assertEquals(folder(root, "outputs", "by-hand").label, "no instance writes here now");
    const trash = (await h.json("GET", "/api/trash")).body.entries[0];
    assertMatch(folder(root, "trash", trash.id).label ?? "", /^deleted instance "old" \(\d{4}-/);
    assertEquals(sat.parent_instance_id, comfy.id);

    // A waiting read of the current version waits (here: 1 s) and answers the same report.
    const same = await h.json<DiskUsageReport>(
      "GET",
      `/api/system/disk?since=${done.body.version}&wait=1`,
    );
    assertEquals(same.body.version, done.body.version);
  } finally {
    await h.close();
  }
});

Deno.test("disk usage: a bad wait or since is a 422 naming it", async () => {
  const h = await startHarness();
  try {
    for (const [query, field] of [["since=d0&wait=31", "wait"], ["since=a%2Fb&wait=1", "since"]]) {
      const answer = await h.json("GET", `/api/system/disk?${query}`);
      assertEquals(answer.status, 422, query);
      assertEquals(answer.body.error.details[0].field, field);
    }
  } finally {
    await h.close();
  }
});
