/**
 * What each run's environment held, through the real parts: a real venv (a package installed by
 * its metadata, as pip leaves it) and a real git checkout in the instance's folder, read when the
 * app turns healthy; the next run lists what changed since the last run that worked.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { startHarness, waitForStatus } from "../../tests/helpers/harness.ts";
import type { RunEnvironment } from "../../lib/shared/environment_snapshot.ts";
import { describeChange } from "../../lib/shared/environment_snapshot.ts";
import { git } from "../../tests/helpers/git.ts";
import { startWebhookReceiver } from "../../tests/helpers/webhook_receiver.ts";

/** Installs `name` `version` into the venv the way pip leaves it: a dist-info folder. */
async function installFake(sitePackages: string, name: string, version: string): Promise<void> {
  for await (const entry of Deno.readDir(sitePackages)) {
    if (entry.name.startsWith(`${name}-`)) {
      await Deno.remove(`${sitePackages}/${entry.name}`, { recursive: true });
    }
  }
  const info = `${sitePackages}/${name}-${version}.dist-info`;
  await Deno.mkdir(info);
  await Deno.writeTextFile(
    `${info}/METADATA`,
    `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
  );
}

Deno.test("each run records its environment once healthy; the next lists what changed since", async () => {
  const hook = startWebhookReceiver();
  const h = await startHarness();
  try {
    await h.json("PUT", "/api/system/notifications", { url: `${hook.url}/n`, events: ["failed"] });
    const created = await h.json("POST", "/api/instances", {
      name: "venvy",
      base_blueprint: "venv_app.sh",
      gpu_ids: "none",
    });
    assertEquals(created.status, 201);
    const id = created.body.id as number;
    const dir = `${h.dataDir}/instances/venvy`;
    const venv = await new Deno.Command("python3", {
      args: ["-m", "venv", "--without-pip", `${dir}/env`],
    }).output();
    assert(venv.success, "python3 -m venv");
    const lib = [...Deno.readDirSync(`${dir}/env/lib`)][0]?.name;
    assert(lib, "the venv has its lib/pythonX.Y");
    const sitePackages = `${dir}/env/lib/${lib}/site-packages`;
    await installFake(sitePackages, "Fake_Torch", "2.5.1");
    await Deno.mkdir(`${dir}/app`);
    await git(`${dir}/app`, "init", "-q", "-b", "main");
    await Deno.writeTextFile(`${dir}/app/main.py`, "one");
    await git(`${dir}/app`, "add", "main.py");
    await git(`${dir}/app`, "commit", "-qm", "one");
    const first = await git(`${dir}/app`, "rev-parse", "HEAD");

    const latest = async (): Promise<RunEnvironment | null> => {
      await h.services.environments.settled();
      const { body } = await h.json("GET", `/api/instances/${id}/runs`);
      return body.runs[0].environment;
    };
    await h.json("POST", `/api/instances/${id}/start`);
    await waitForStatus(h, id, "started");
    const before = await latest();
    assertMatch(before?.python ?? "", /^3\.\d+\.\d+$/);
    assertEquals(
      { ...before, python: null },
      { python: null, packages: 1, checkouts: 1, healthy: true, changes: null, since: null },
    );
    await h.json("POST", `/api/instances/${id}/stop`);

    await installFake(sitePackages, "Fake_Torch", "2.6.0");
    await Deno.writeTextFile(`${dir}/app/main.py`, "two");
    await git(`${dir}/app`, "commit", "-qam", "two");
    const second = await git(`${dir}/app`, "rev-parse", "HEAD");
    await h.json("POST", `/api/instances/${id}/start`);
    await waitForStatus(h, id, "started");
    const after = await latest();
    assertEquals(after?.changes?.map(describeChange), [
      "fake-torch 2.5.1 → 2.6.0",
      `app ${first.slice(0, 12)} → ${second.slice(0, 12)}`,
    ]);
    const { body } = await h.json("GET", `/api/instances/${id}/runs`);
    assertEquals(after?.since, body.runs[1].started_at);
    assertEquals((await h.json("GET", `/api/instances/${id}`)).body.environment_changes, null);
    await h.json("POST", `/api/instances/${id}/stop`);

    // A run that fails after torch changed: its instance says what changed since it last worked,
    // published again once the record is made (the view needs no reload).
    await installFake(sitePackages, "Fake_Torch", "2.7.0");
    await Deno.writeTextFile(`${dir}/fail`, "");
    const republished = new Promise<string[]>((resolve) => {
      const stop = h.services.bus.subscribe(() => {
        const changes = h.services.runs.failedRunChanges(id);
        if (changes) (stop(), resolve(changes));
      });
    });
    await h.json("POST", `/api/instances/${id}/start`);
    await waitForStatus(h, id, "exited");
    assertEquals(await republished, ["fake-torch 2.6.0 → 2.7.0"]);
    const failed = await h.json("GET", `/api/instances/${id}`);
    assertEquals(failed.body.environment_changes, ["fake-torch 2.6.0 → 2.7.0"]);
    assertEquals(failed.body.last_output, ["venv_app: failing on purpose"]);
    // The webhook is told the same, once the environment was read.
    const notice = JSON.parse((await hook.nth(1)).body);
    assertEquals([notice.event, notice.instance.slug], ["failed", "venvy"]);
    assertEquals(notice.environment_changes, ["fake-torch 2.6.0 → 2.7.0"]);
    assertMatch(notice.text, /Changed since it last worked: fake-torch 2\.6\.0 → 2\.7\.0/);
  } finally {
    await h.close();
    await hook.close();
  }
});
