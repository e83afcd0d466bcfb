import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { markedPids, startHarness, waitForStatus } from "../../tests/helpers/harness.ts";
import { environAfterExec } from "../../tests/helpers/environ_after_exec.ts";

async function create(
  h: Awaited<ReturnType<typeof startHarness>>,
  name: string,
  blueprint: string,
  extra = {},
) {
  const result = await h.json("POST", "/api/instances", {
    name,
    base_blueprint: blueprint,
    ...extra,
  });
  assertEquals(result.status, 201, JSON.stringify(result.body));
  return result.body as { id: number; slug: string };
}

Deno.test("start → starting → started when the app answers; stop leaves nothing behind", async () => {
  const h = await startHarness();
  try {
    const inst = await create(h, "web", "http_app.sh", { gpu_ids: "1" });
    const started = await h.json("POST", `/api/instances/${inst.id}/start`);
    assertEquals(started.status, 200);
    assertEquals(started.body.status, "starting");
    assert(started.body.pid > 0);
    await waitForStatus(h, inst.id, "started");
    const record = h.services.store.get(inst.id);
    const answer = await fetch(`http://127.0.0.1:${record?.appPort}/`);
    assertEquals(await answer.text(), "ok\n");
    const env = Deno.readTextFileSync(`/proc/${record?.pid}/environ`).split("\0");
    for (
      const expected of [
        "CUDA_VISIBLE_DEVICES=1",
        "CUDA_DEVICE_ORDER=PCI_BUS_ID",
        "INSTANCE_SLUG=web",
        "SUBFOLDER=/instance/web/",
        "PYTHONUNBUFFERED=1",
      ]
    ) {
      assert(env.includes(expected), `missing ${expected}`);
    }
    const helpers = env.find((v) => v.startsWith("AIKORE_FUNCTIONS="))?.slice(17) ?? "";
    assert(helpers.startsWith(h.dataDir), "the helper library is a real file bash can source");
    assert((await Deno.readTextFile(helpers)).includes("sync_repo"));
    assertEquals(
      (await h.json("POST", `/api/instances/${inst.id}/start`)).status,
      409,
      "already running",
    );
    const stopped = await h.json("POST", `/api/instances/${inst.id}/stop`);
    assertEquals(stopped.body.status, "stopped");
    assertEquals(markedPids(h, inst.id), []);
    const logs = await h.json("GET", `/api/instances/${inst.id}/logs?offset=0`);
    assert(logs.body.content.includes("http_app: listening"), logs.body.content);
    const more = await h.json("GET", `/api/instances/${inst.id}/logs?offset=${logs.body.size}`);
    assertEquals(more.body.content, "");
    const search = await h.json("GET", `/api/instances/${inst.id}/logs/search?q=LISTENING`);
    assertEquals(search.body.matches.length, 1);
    assertEquals(
      (await h.json("POST", `/api/instances/${inst.id}/stop`)).status,
      409,
      "already stopped",
    );
  } finally {
    await h.close();
  }
});

Deno.test("an app that exits at once shows exited with its code; the log regex health check works", async () => {
  const h = await startHarness();
  try {
    const failing = await create(h, "fails", "exits_at_once.sh");
    const ready = await create(h, "ready", "log_ready.sh");
    await h.json("POST", `/api/instances/${failing.id}/start`);
    await h.json("POST", `/api/instances/${ready.id}/start`);
    await waitForStatus(h, failing.id, "exited");
    assertEquals(h.services.store.get(failing.id)?.exitCode, 3);
    await waitForStatus(h, ready.id, "started");
    await h.json("POST", `/api/instances/${ready.id}/stop`);
    const restart = await h.json("POST", `/api/instances/${failing.id}/start`);
    assertEquals(restart.status, 200, "an exited instance can be started again");
    await waitForStatus(h, failing.id, "exited");
  } finally {
    await h.close();
  }
});

Deno.test("an app that never opens its port goes stalled after the start timeout", async () => {
  const h = await startHarness();
  try {
    const inst = await create(h, "slow", "never_opens_port.sh");
    await h.json("POST", `/api/instances/${inst.id}/start`);
    await waitForStatus(h, inst.id, "stalled", 8000);
    assert(h.services.store.get(inst.id)?.statusMessage?.includes("Not healthy after 2 s"));
    await h.json("POST", `/api/instances/${inst.id}/stop`);
    assertEquals(markedPids(h, inst.id), []);
  } finally {
    await h.close();
  }
});

Deno.test("stop kills a TERM-ignoring tree with a setsid escapee; a leader that exited leaves nothing", async () => {
  const h = await startHarness({ graceMs: 500 });
  try {
    const stubborn = await create(h, "stubborn", "ignores_term.sh");
    const leader = await create(h, "leader", "leader_exits.sh");
    await h.json("POST", `/api/instances/${stubborn.id}/start`);
    await waitForStatus(h, stubborn.id, "started");
    await new Promise((r) => setTimeout(r, 300));
    assert(markedPids(h, stubborn.id).length >= 3, "child, grandchild and escapee are running");
    const stopped = await h.json("POST", `/api/instances/${stubborn.id}/stop`);
    assertEquals(stopped.body.status, "stopped");
    assertEquals(markedPids(h, stubborn.id), []);

    await h.json("POST", `/api/instances/${leader.id}/start`);
    await waitForStatus(h, leader.id, "exited");
    assertEquals(
      markedPids(h, leader.id),
      [],
      "the background job of an exited leader is cleaned up",
    );
  } finally {
    await h.close();
  }
});

Deno.test("update of a running instance needs restart: true, then stops, applies and starts", async () => {
  const h = await startHarness();
  try {
    const inst = await create(h, "upd", "log_ready.sh");
    await h.json("POST", `/api/instances/${inst.id}/start`);
    await waitForStatus(h, inst.id, "started");
    const firstPid = h.services.store.get(inst.id)?.pid;
    const refused = await h.json("PUT", `/api/instances/${inst.id}`, { gpu_ids: "0" });
    assertEquals(refused.status, 409);
    assertEquals(refused.body.error.details.restart_required, ["gpu_ids"]);
    const live = await h.json("PUT", `/api/instances/${inst.id}`, { autostart: true });
    assertEquals(live.status, 200, "live fields need no restart");
    const applied = await h.json("PUT", `/api/instances/${inst.id}`, {
      gpu_ids: "0",
      restart: true,
    });
    assertEquals(applied.status, 200);
    assertEquals(applied.body.gpu_ids, "0");
    await waitForStatus(h, inst.id, "started");
    const record = h.services.store.get(inst.id);
    assert(record?.pid !== firstPid);
    assert((await environAfterExec(record?.pid ?? 0, "sleep")).includes("CUDA_VISIBLE_DEVICES=0"));
    const script = await h.json("PUT", `/api/instances/${inst.id}/file?restart=true`, {
      content: "#!/bin/bash\necho 'READY on port 1'\nexec sleep 1000\n",
    });
    assertEquals(script.status, 200);
    await waitForStatus(h, inst.id, "started");
    await h.json("POST", `/api/instances/${inst.id}/stop`);
    assertEquals((await h.json("DELETE", `/api/instances/${inst.id}`)).status, 200);
  } finally {
    await h.close();
  }
});

Deno.test("a running instance cannot be deleted; a satellite runs the parent's script in its own folder", async () => {
  const h = await startHarness();
  try {
    const parent = await create(h, "parent", "log_ready.sh");
    const sat =
      (await h.json("POST", `/api/instances/${parent.id}/instantiate`, { new_name: "sat" })).body;
    await h.json("POST", `/api/instances/${sat.id}/start`);
    await waitForStatus(h, sat.id, "started");
    assertEquals((await h.json("DELETE", `/api/instances/${sat.id}`)).status, 409);
    const pid = h.services.store.get(sat.id)?.pid ?? 0;
    const env = await environAfterExec(pid, "sleep");
    assert(env.includes(`INSTANCE_CONF_DIR=${h.dataDir}/instances/parent`));
    assert(env.includes("AIKORE_SKIP_INSTALL=1"));
    assertEquals(Deno.readLinkSync(`/proc/${pid}/cwd`), `${h.dataDir}/instances/sat`);
    await h.json("POST", `/api/instances/${sat.id}/stop`);
  } finally {
    await h.close();
  }
});

Deno.test("T23: on-failure restarts back off 1, 2, 4, 8 s and give up after 5 quick failures", async () => {
  const h = await startHarness();
  try {
    const inst = await create(h, "crashy", "exits_at_once.sh", { restart_policy: "on-failure" });
    const spawns: number[] = [];
    const unsubscribe = h.services.bus.subscribe((event) => {
      const data = event.data as { id?: number; status?: string };
      if (data.id === inst.id && data.status === "starting") spawns.push(performance.now());
    });
    await h.json("POST", `/api/instances/${inst.id}/start`);
    await waitForStatus(h, inst.id, "error", 25_000);
    unsubscribe();
    assertEquals(spawns.length, 5, "five runs, then it gives up");
    const gaps = spawns.slice(1).map((t, i) => (t - (spawns[i] ?? 0)) / 1000);
    [1, 2, 4, 8].forEach((expected, i) => {
      const gap = gaps[i] ?? 0;
      assert(
        gap >= expected * 0.95 && gap <= expected * 1.2 + 1,
        `gap ${i} was ${gap}s, expected ~${expected}s`,
      );
    });
    assert(h.services.store.get(inst.id)?.statusMessage?.startsWith("Gave up after 5"));
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(spawns.length, 5, "no further spawns after giving up");
  } finally {
    await h.close();
  }
});

Deno.test("stop during the back-off cancels the pending restart at once", async () => {
  const h = await startHarness();
  try {
    const inst = await create(h, "crashy2", "exits_at_once.sh", { restart_policy: "on-failure" });
    await h.json("POST", `/api/instances/${inst.id}/start`);
    await waitForStatus(h, inst.id, "exited");
    const began = performance.now();
    const stopped = await h.json("POST", `/api/instances/${inst.id}/stop`);
    assertEquals(stopped.body.status, "stopped");
    assert(performance.now() - began < 1900, "the pending restart is cancelled, not waited for");
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(h.services.store.get(inst.id)?.status, "stopped", "no restart after the stop");
  } finally {
    await h.close();
  }
});

Deno.test("version check runs in the instance environment; rebuild leaves the marker for the next start", async () => {
  const h = await startHarness();
  try {
    const inst = await create(h, "venvy", "log_ready.sh");
    const dir = `${h.dataDir}/instances/venvy`;
    await Deno.mkdir(`${dir}/env/bin`, { recursive: true });
    // A fake environment: its python is found first on PATH once the venv is activated.
    await Deno.writeTextFile(`${dir}/env/bin/activate`, `export PATH="${dir}/env/bin:$PATH"\n`);
    await Deno.writeTextFile(
      `${dir}/env/bin/python`,
      `#!/bin/bash\nif [ "$1" = "-m" ]; then echo "No broken requirements found."; else echo "Python 3.99.0 (fake env)"; fi\n`,
    );
    await Deno.chmod(`${dir}/env/bin/python`, 0o755);
    await Deno.writeTextFile(
      `${dir}/launch.sh`,
      (await Deno.readTextFile(`${dir}/launch.sh`)).replace(
        "venv_type = none",
        "venv_type = python",
      ),
    );
    await h.json("POST", "/api/system/blueprints/custom", {
      filename: "log_ready.sh",
      content: await Deno.readTextFile(`${dir}/launch.sh`),
    });
    const check = await h.json("POST", `/api/instances/${inst.id}/version-check`);
    assertEquals(check.status, 200);
    assert(check.body.versions.includes("Python 3.99.0 (fake env)"), check.body.versions);
    assertEquals(check.body.conflicts, "No dependency conflicts found.");

    const rebuild = await h.json("POST", `/api/instances/${inst.id}/rebuild`);
    assertEquals(rebuild.status, 200);
    assertEquals(await Deno.readTextFile(`${dir}/.rebuild-env`), "requested\n");
    const sat =
      (await h.json("POST", `/api/instances/${inst.id}/instantiate`, { new_name: "sat" })).body;
    assertEquals((await h.json("POST", `/api/instances/${sat.id}/rebuild`)).status, 403);
  } finally {
    await h.close();
  }
});

Deno.test("a desktop-mode instance without a desktop backend is refused with 503 and the reason, nothing runs", async () => {
  const h = await startHarness({ env: { AIKORE_DESKTOP: "off" } });
  try {
    const inst = await create(h, "desk", "log_ready.sh", { persistent_mode: true });
    const refused = await h.json("POST", `/api/instances/${inst.id}/start`);
    assertEquals(refused.status, 503);
    const message: string = refused.body.error.message;
    assert(message.includes("Desktop") && message.includes("AIKORE_DESKTOP=off"), message);
    assertEquals(h.services.store.get(inst.id)?.status, "stopped");
    assertEquals(markedPids(h, inst.id), []);
  } finally {
    await h.close();
  }
});
