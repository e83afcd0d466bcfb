/**
 * T25: NGINX updates under faults — a config NGINX rejects, a full disk, AiKore killed with
 * SIGKILL in the middle of applies, a master that dies, a broken config found at boot. In
 * every case the live config passes `nginx -t` and the routes that worked keep working.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { silentLogger } from "../log/mod.ts";
import { ConfigStore } from "./config_store.ts";
import type { GatewayModel } from "./gateway_model.ts";
import { NginxGateway } from "./nginx_gateway.ts";
import { nginxPaths } from "./nginx_paths.ts";
import { findNginxProcesses, nginxGroupMembers } from "./nginx_processes.ts";
import { renderNginxConfig } from "./render_nginx_config.ts";
import { seededRandom } from "./testdata/fuzz_values.ts";
import { AUTH, type GatewayFixture, startGatewayFixture } from "./testdata/gateway_fixture.ts";

const NGINX = "/usr/sbin/nginx";
const CRASH_RUNS = Number(Deno.env.get("AIKORE_T25_RUNS") ?? 8);

async function liveConfigPasses(dataDir: string): Promise<void> {
  const paths = nginxPaths(dataDir);
  const test = await new ConfigStore(paths, NGINX).test(paths.confFile);
  assertEquals(test, { ok: true, message: null });
}

async function echoWorks(f: GatewayFixture, model = f.model): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${model.dashboardPort}/instance/echo/alive`, {
    headers: AUTH,
  });
  assertEquals(response.status, 200);
  assertEquals((await response.json()).path, "/alive");
}

/** The fixture's settings plus a host name (a different config, so a reload). */
function withExtra(f: GatewayFixture, name = "extra"): GatewayModel {
  return { ...f.model, serverNames: [...f.model.serverNames, `${name}.test`] };
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("T25a: a config NGINX rejects is quarantined; the live config and routes stay", async () => {
  const f = await startGatewayFixture();
  try {
    const { paths } = f.gateway;
    const live = await Deno.readTextFile(paths.confFile);
    // Someone removed NGINX's temp folder: `nginx -t` now fails on the candidate.
    await Deno.remove(paths.tempDir, { recursive: true });
    const result = await f.gateway.apply(withExtra(f));
    assertEquals(result.ok, false);
    assertMatch(
      result.error ?? "",
      /^nginx rejected the new config: \[emerg\] mkdir\(\) ".*\/tmp\/body" failed/,
    );
    assertEquals(f.gateway.status.lastError, result.error);
    assertEquals(await Deno.readTextFile(paths.confFile), live);
    assertMatch(await Deno.readTextFile(paths.quarantineConf), /server_name .*extra\.test;/);
    await echoWorks(f);
    await Deno.mkdir(paths.tempDir);
    await liveConfigPasses(f.dir);
    const healed = await f.gateway.apply(withExtra(f));
    assertEquals([healed.ok, healed.error], [true, null]);
    await echoWorks(f);

    // The same through the store with text that is not NGINX config at all.
    const store = new ConfigStore(paths, NGINX);
    await store.stage("this is { not nginx;\n");
    const test = await store.test();
    assertEquals(test.ok, false);
    assertMatch(test.message ?? "", /\[emerg\]/);
    await store.quarantineStaged();
    assertEquals(await Deno.readTextFile(paths.quarantineConf), "this is { not nginx;\n");
    await liveConfigPasses(f.dir);
  } finally {
    await f.close();
  }
});

async function mountTinyDisk(dir: string): Promise<boolean> {
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=256k", "tmpfs", dir],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => null);
  return mount?.success ?? false;
}

Deno.test("T25b: a full disk refuses the change and keeps the live config", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-disk-" });
  // A 256 KiB tmpfs when mount works (root with CAP_SYS_ADMIN); otherwise the staging file
  // is a link to /dev/full, whose writes fail with ENOSPC just the same.
  const mounted = await mountTinyDisk(dir);
  const f = await startGatewayFixture({ dataDir: dir });
  const filler = `${dir}/filler`;
  try {
    const { paths } = f.gateway;
    const live = await Deno.readTextFile(paths.confFile);
    if (mounted) {
      const file = await Deno.open(filler, { write: true, create: true });
      const block = new Uint8Array(4096);
      try {
        while (true) await file.write(block);
      } catch (error) {
        assertMatch(String(error), /No space left on device/);
      } finally {
        file.close();
      }
    } else {
      await Deno.symlink("/dev/full", paths.stagingConf);
    }
    const result = await f.gateway.apply(withExtra(f));
    assertEquals(result.ok, false);
    assertMatch(
      result.error ?? "",
      /^Cannot write the new gateway config: No space left on device/,
    );
    assertEquals(await Deno.readTextFile(paths.confFile), live);
    await liveConfigPasses(dir);
    await echoWorks(f);
    if (mounted) await Deno.remove(filler);
    const retried = await f.gateway.apply(withExtra(f));
    assertEquals([retried.ok, retried.error], [true, null]);
    await echoWorks(f);
  } finally {
    await f.close();
    if (mounted) await new Deno.Command("umount", { args: [dir] }).output();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(`T25c: AiKore killed mid-apply ${CRASH_RUNS} times leaves a tested config and working routes`, async () => {
  const f = await startGatewayFixture();
  const { paths } = f.gateway;
  await f.gateway.stop();
  const a = f.model;
  const b = withExtra(f, "crash");
  const settings = { shutdownTimeoutSec: 1, workerProcesses: 2 };
  const renders = [renderNginxConfig(a, paths, settings), renderNginxConfig(b, paths, settings)];
  const random = seededRandom(25);
  const child = new URL("./testdata/apply_loop_child.ts", import.meta.url).pathname;
  try {
    for (let run = 0; run < CRASH_RUNS; run++) {
      const process = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", child, f.dir, JSON.stringify([a, b])],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = process.stdout.getReader();
      const { value } = await reader.read();
      const started = JSON.parse(new TextDecoder().decode(value)) as { ok: boolean; pid: number };
      assertEquals(started.ok, true);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 600)));
      process.kill("SIGKILL");
      await process.status;
      await reader.cancel();
      const live = await Deno.readTextFile(paths.confFile);
      assert(renders.includes(live), `run ${run}: the live config is neither model's rendering`);
      await liveConfigPasses(f.dir);
      // The orphaned master keeps serving whatever it last loaded.
      await echoWorks(f);
      assert(
        (await nginxGroupMembers(started.pid)).length >= 1,
        `run ${run}: the master died with AiKore`,
      );
    }
    // A fresh start cleans up the orphan and serves again.
    const gateway = new NginxGateway({
      binary: NGINX,
      dataDir: f.dir,
      logger: silentLogger,
      shutdownTimeoutSec: 1,
    });
    const result = await gateway.start(a);
    assertEquals(result.ok, true);
    assertEquals(
      (await findNginxProcesses(paths.prefix, null)).filter((p) => p.pgrp !== gateway.status.pid),
      [],
    );
    await echoWorks(f);
    await gateway.stop();
    assertEquals(await findNginxProcesses(paths.prefix, null), []);
  } finally {
    const leftovers = await findNginxProcesses(paths.prefix, null);
    for (const p of leftovers) Deno.kill(p.pid, "SIGKILL");
    await f.close();
  }
});

Deno.test("T25d: a master that dies is restarted on the last good config", async () => {
  const f = await startGatewayFixture();
  try {
    for (let kill = 1; kill <= 2; kill++) {
      const pid = f.gateway.status.pid;
      assert(pid !== null);
      Deno.kill(pid, "SIGKILL");
      await waitFor(
        () => f.gateway.status.restarts === kill && f.gateway.status.running,
        `restart ${kill}`,
      );
      assert(f.gateway.status.pid !== pid);
      assertMatch(
        f.gateway.status.lastError ?? "",
        /^nginx exited unexpectedly \(code 137, SIGKILL\)$/,
      );
      assertEquals(await nginxGroupMembers(pid), [], "workers of the dead master were left behind");
      await echoWorks(f);
      await liveConfigPasses(f.dir);
    }
    const result = await f.gateway.apply(withExtra(f));
    assertEquals(result.ok, true);
  } finally {
    await f.close();
  }
});

Deno.test("T25e: a broken config found at boot is quarantined and a fresh one is started", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-boot-" });
  const paths = nginxPaths(dir);
  await Deno.mkdir(paths.prefix, { recursive: true });
  await Deno.writeTextFile(paths.confFile, "http { server { listen 1.2.3.4:80 bogus; }\n");
  const f = await startGatewayFixture({ dataDir: dir });
  try {
    assertEquals(
      await Deno.readTextFile(paths.quarantineConf),
      "http { server { listen 1.2.3.4:80 bogus; }\n",
    );
    await liveConfigPasses(dir);
    await echoWorks(f);
  } finally {
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
});
