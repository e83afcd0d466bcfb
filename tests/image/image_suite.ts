/**
 * The image users deploy, built from ./Dockerfile and driven from outside like a user would:
 * run the way docker-compose.yml runs it, then /healthz, login, a web instance from a custom
 * blueprint reached through its pool port, PID 1 and users, zombie reaping, AiKore restarted by
 * the supervisor, `podman restart`, `podman stop` inside the grace, ownership of /config, and a
 * desktop instance (TigerVNC, openbox, kiosk Firefox ESR) seen in Chromium through its pool port.
 *
 * Not a `*_test.ts` file on purpose: it builds an image (minutes cold), so `deno task test`
 * leaves it out; `deno task test:image` (through image_suites.ts) and .ci/run run it. Skipped,
 * with the reason, only where podman cannot run at all.
 */
import { chromium } from "playwright-core";
import { assert, assertEquals } from "../helpers/assert.ts";
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser.ts";
import { type Container, containerState, startContainer } from "./container.ts";
import { aikoreProcess, containerProcesses } from "./container_processes.ts";
import { connect, type DashboardClient, type InstanceView } from "./dashboard_client.ts";
import { podman, podmanOk, podmanUnavailable, RUN_LIMITS } from "./podman.ts";
import { report as say, testImage } from "./test_image.ts";
import {
  STOP_DELAY_FILE,
  STOP_MARKER,
  TINY_WEB_BLUEPRINT,
  TINY_WEB_FILE,
} from "./tiny_web_blueprint.ts";
import { filesNotOwnedBy, waitForHealthz } from "./image_checks.ts";
import { DESK_WEB_BLUEPRINT, waitForColor, WEB_COLOR } from "../e2e/desktop_support.ts";

const REPO = new URL("../../", import.meta.url).pathname;
/** Where the Dockerfile's native step leaves the holder (AiKore looks there in its source tree). */
const HOLDER_IN_IMAGE = "/opt/aikore/app/build/native/aikore_holder";
const PUID = 1234;
const PGID = 2345;
const PASSWORD = "image test password 1";
const POOL = { start: 19001, end: 19003 };
const STOP_GRACE_S = 30;
/** How long the app takes to stop in the last step: less than AiKore's 10 s per-app grace. */
const SLOW_STOP_S = 5;

const unavailable = await podmanUnavailable();
if (unavailable) say(`SKIPPED: podman cannot run here: ${unavailable}`);

/** The app's page through the gateway's pool port (the browser's way to an instance). */
async function poolPage(container: Container, client: DashboardClient, view: InstanceView) {
  assert(view.port !== null, "the instance has a public port");
  const response = await fetch(`http://127.0.0.1:${container.hostPort(view.port)}/`, {
    headers: { cookie: client.cookie },
  });
  return { status: response.status, text: await response.text() };
}

/** A status is truthful when "started" answers on the pool port and "stopped" runs nothing. */
async function assertTruthful(container: Container, client: DashboardClient, id: number) {
  const view = (await client.json("GET", `/api/instances/${id}`)).body as InstanceView;
  const serving = (await containerProcesses(container)).filter((p) => p.args.includes("serve.py"));
  if (view.status === "started") {
    const page = await poolPage(container, client, view);
    assertEquals(page.status, 200, `"started" but the pool port answers ${page.status}`);
    assertEquals(serving.length, 1, "exactly one app process behind a started instance");
  } else {
    assert(
      ["stopped", "exited", "error"].includes(view.status),
      `unexpected status after a restart: ${view.status}`,
    );
    assertEquals(serving, [], `"${view.status}" but the app still runs`);
  }
  return view;
}

Deno.test({
  name: "image: built from Debian and npm, runs like docker-compose.yml, driven from outside",
  ignore: unavailable !== null,
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const image = await testImage();
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-image-config-" });
  const container = await startContainer({
    image,
    name: `aikore-image-test-${Deno.pid}`,
    dataDir,
    puid: PUID,
    pgid: PGID,
    password: PASSWORD,
    pool: POOL,
    stopGraceS: STOP_GRACE_S,
  });
  try {
    const readyMs = await waitForHealthz(container, 120_000);
    say(`container answers /healthz ${(readyMs / 1000).toFixed(1)} s after start`);
    let client = await connect(container.dashboard(), PASSWORD);
    let instance: InstanceView | undefined;

    await t.step("PID 1 is s6-svscan and every process runs as PUID:PGID", async () => {
      const processes = await containerProcesses(container);
      const init = processes.find((p) => p.pid === 1);
      assert(init?.args.startsWith("s6-svscan"), `PID 1 is ${init?.args}`);
      for (const wanted of [/^s6-supervise aikore$/, /^nginx: master/, /^nginx: worker/]) {
        assert(processes.some((p) => wanted.test(p.args)), `no ${wanted} in ${processes.length}`);
      }
      assert(aikoreProcess(processes), "AiKore runs");
      const foreign = processes.filter((p) => p.uid !== PUID || p.gid !== PGID);
      assertEquals(foreign, [], "nothing runs as another user, root included");
      const rss = processes.reduce((sum, p) => sum + p.rssKiB, 0);
      say(`idle container: ${processes.length} processes, RSS ${(rss / 1024).toFixed(0)} MiB`);
      const stats = await podmanOk([
        "stats",
        "--no-stream",
        "--format",
        "{{.MemUsage}}",
        container.name,
      ])
        .catch((error: Error) => `unavailable (${error.message.split("\n")[0]})`);
      say(`idle container memory (cgroup): ${stats.trim()}`);
    });

    await t.step("/healthz answers and the password from AIKORE_PASSWORD logs in", async () => {
      const health = await fetch(`${container.dashboard()}/healthz`);
      assertEquals([health.status, await health.text()], [200, "ok"]);
      const wrong = await fetch(`${container.dashboard()}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: container.dashboard() },
        body: JSON.stringify({ password: "not the password" }),
      });
      await wrong.body?.cancel();
      assertEquals(wrong.status, 401);
      const session = await client.json("GET", "/api/auth/session");
      assertEquals(session.status, 200, JSON.stringify(session.body));
    });

    await t.step("the image's HEALTHCHECK passes and `aikore` is the command inside", async () => {
      const health = await podman(["healthcheck", "run", container.name]);
      assertEquals(health.code, 0, `healthcheck: ${health.stdout}${health.stderr}`);
      const help = await container.exec(["aikore", "help"], `${PUID}:${PGID}`);
      assertEquals(help.code, 0, help.stderr);
      assert(help.stdout.startsWith("usage: aikore"), help.stdout.slice(0, 200));
      if (await Deno.stat(`${REPO}native/holder`).then(() => true, () => false)) {
        const holder = await container.exec(["test", "-x", HOLDER_IN_IMAGE]);
        assertEquals(holder.code, 0, `the source has native/holder: ${HOLDER_IN_IMAGE} is built`);
      }
    });

    await t.step("PUID=0 is refused with the reason, before anything starts", async () => {
      const refused = await podman([
        "run",
        "--rm",
        ...RUN_LIMITS,
        "--no-healthcheck",
        "--env",
        "PUID=0",
        image,
      ]);
      assertEquals(refused.code, 2, refused.stderr);
      assert(
        /PUID\/PGID 0 would run AiKore and every app as root/.test(refused.stderr),
        refused.stderr,
      );
    });

    await t.step("a web instance from a custom blueprint answers on its pool port", async () => {
      const saved = await client.json("POST", "/api/system/blueprints/custom", {
        filename: TINY_WEB_FILE,
        content: TINY_WEB_BLUEPRINT,
      });
      assertEquals(saved.status, 201, JSON.stringify(saved.body));
      const created = await client.json("POST", "/api/instances", {
        name: "tiny",
        base_blueprint: TINY_WEB_FILE,
      });
      assertEquals(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id as number;
      const started = await client.json("POST", `/api/instances/${id}/start`);
      assertEquals(started.status, 200, JSON.stringify(started.body));
      instance = await client.waitForStatus(id, "started", 180_000);
      assert(
        instance.port !== null && instance.port >= POOL.start && instance.port <= POOL.end,
        `port ${instance.port} is in the pool`,
      );
      const page = await poolPage(container, client, instance);
      assertEquals(page, { status: 200, text: `hello from tiny as ${PUID}:${PGID}\n` });
      const anonymous = await fetch(`http://127.0.0.1:${container.hostPort(instance.port)}/`);
      await anonymous.body?.cancel();
      assert([401, 302].includes(anonymous.status), `anonymous: ${anonymous.status}`);
    });

    await t.step("screenshot: the dashboard served by the container, in Chromium", async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
        const base = container.dashboard();
        await page.goto(`${base}/login?next=/`);
        await page.fill("input[name=password]", PASSWORD);
        await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
        await page.waitForSelector("[data-island][data-hydrated]");
        await page.locator('tr.instance-row[data-slug="tiny"] [data-status="started"]').waitFor();
        await Deno.mkdir(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: `${ARTIFACTS}image-dashboard.png` });
        say(`screenshot: ${ARTIFACTS}image-dashboard.png`);
      } finally {
        await browser.close();
      }
    });

    await t.step(
      "screenshot: a desktop instance's kiosk browser, through its pool port",
      async () => {
        const saved = await client.json("POST", "/api/system/blueprints/custom", {
          filename: "desk_web.sh",
          content: DESK_WEB_BLUEPRINT,
        });
        assertEquals(saved.status, 201, JSON.stringify(saved.body));
        const created = await client.json("POST", "/api/instances", {
          name: "desk",
          base_blueprint: "desk_web.sh",
          persistent_mode: true,
        });
        assertEquals(created.status, 201, JSON.stringify(created.body));
        const id = created.body.id as number;
        const started = await client.json("POST", `/api/instances/${id}/start`);
        assertEquals(started.status, 200, JSON.stringify(started.body));
        const desk = await client.waitForStatus(id, "started", 180_000);
        assert(desk.port !== null, "the desktop has a public port");
        const anonymous = await fetch(`http://127.0.0.1:${container.hostPort(desk.port)}/`);
        await anonymous.body?.cancel();
        assert([401, 302].includes(anonymous.status), `anonymous viewer: ${anonymous.status}`);
        const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
        try {
          const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
          const [name, value] = client.cookie.split("=", 2) as [string, string];
          await context.addCookies([{ name, value, url: container.dashboard() }]);
          const page = await context.newPage();
          await page.goto(`http://127.0.0.1:${container.hostPort(desk.port)}/`);
          const shown = await waitForColor(page, WEB_COLOR, 0.3, 120_000);
          await Deno.mkdir(ARTIFACTS, { recursive: true });
          await page.screenshot({ path: `${ARTIFACTS}image-desktop.png` });
          say(`screenshot: ${ARTIFACTS}image-desktop.png ${JSON.stringify(shown)}`);
        } finally {
          await browser.close();
        }
        const stopped = await client.json("POST", `/api/instances/${id}/stop`);
        assertEquals(stopped.status, 200, JSON.stringify(stopped.body));
        await client.waitForStatus(id, "stopped", 60_000);
        const desktopParts = (await containerProcesses(container)).filter((p) =>
          /Xvnc|openbox|websockify|firefox/.test(p.args)
        );
        assertEquals(desktopParts.map((p) => p.args), [], "stop leaves no desktop process");
      },
    );

    await t.step("PID 1 reaps orphaned zombies", async () => {
      const spawned = await container.exec([
        "sh",
        "-c",
        "sh -c 'sleep 5 </dev/null >/dev/null 2>&1 &'",
      ]);
      assertEquals(spawned.code, 0, spawned.stderr);
      const orphan = (await containerProcesses(container)).find((p) => p.args === "sleep 5");
      assertEquals(orphan?.ppid, 1, "the orphan was handed to PID 1");
      const deadline = Date.now() + 15_000;
      let left = [orphan];
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        left = (await containerProcesses(container)).filter((p) => p.pid === orphan?.pid);
      }
      assertEquals(left, [], "the exited orphan is reaped, not left a zombie");
    });

    await t.step("the supervisor restarts AiKore when it dies", async () => {
      const before = aikoreProcess(await containerProcesses(container));
      assert(before, "AiKore runs");
      const killed = await container.exec(["kill", "-KILL", String(before.pid)]);
      assertEquals(killed.code, 0, killed.stderr);
      const deadline = Date.now() + 60_000;
      let after = undefined;
      while (Date.now() < deadline) {
        after = aikoreProcess(await containerProcesses(container));
        if (after && after.pid !== before.pid) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert(after && after.pid !== before.pid, "a new AiKore process");
      await waitForHealthz(container, 60_000);
      client = await connect(container.dashboard(), PASSWORD);
      assert(instance);
      const view = await assertTruthful(container, client, instance.id);
      say(`after AiKore was killed and restarted, the instance is ${view.status}`);
    });

    await t.step("podman restart keeps the data and the statuses are truthful", async () => {
      assert(instance);
      if ((await client.json("GET", `/api/instances/${instance.id}`)).body.status !== "started") {
        await client.json("POST", `/api/instances/${instance.id}/start`);
        instance = await client.waitForStatus(instance.id, "started", 180_000);
      }
      const markerPath = `${dataDir}/instances/tiny/${STOP_MARKER}`;
      await Deno.remove(markerPath).catch(() => {});
      const started = performance.now();
      await podmanOk(["restart", container.name]);
      say(`podman restart took ${((performance.now() - started) / 1000).toFixed(1)} s`);
      assertEquals(
        (await Deno.readTextFile(markerPath)).trim(),
        "SIGTERM after 0 s",
        "AiKore stopped the app with SIGTERM before the container went down",
      );
      await container.refreshPorts();
      await waitForHealthz(container, 120_000);
      client = await connect(container.dashboard(), PASSWORD);
      const list = (await client.json("GET", "/api/instances")).body as InstanceView[];
      assertEquals(
        list.map((v) => [v.name, v.base_blueprint, v.status]),
        [["tiny", TINY_WEB_FILE, list[0]?.status], ["desk", "desk_web.sh", "stopped"]],
      );
      assertEquals(list[0]?.id, instance.id);
      const blueprints = await client.json("GET", "/api/system/blueprints");
      assert(
        blueprints.body.custom.some((b: { filename: string }) => b.filename === TINY_WEB_FILE),
        "the custom blueprint survived",
      );
      const view = await assertTruthful(container, client, instance.id);
      say(`after podman restart the instance is ${view.status}`);
      if (view.status !== "started") {
        const again = await client.json("POST", `/api/instances/${instance.id}/start`);
        assertEquals(again.status, 200, JSON.stringify(again.body));
      }
      instance = await client.waitForStatus(instance.id, "started", 180_000);
      const page = await poolPage(container, client, instance);
      assertEquals(page.status, 200);
    });

    await t.step("podman stop waits for a slow app to stop and ends inside the grace", async () => {
      const folder = "/config/instances/tiny";
      const slow = await container.exec(
        [
          "sh",
          "-c",
          `rm -f ${folder}/${STOP_MARKER} && echo ${SLOW_STOP_S} > ${folder}/${STOP_DELAY_FILE}`,
        ],
        `${PUID}:${PGID}`,
      );
      assertEquals(slow.code, 0, slow.stderr);
      const started = performance.now();
      await podmanOk(["stop", container.name]);
      const seconds = (performance.now() - started) / 1000;
      say(
        `podman stop took ${
          seconds.toFixed(1)
        } s (the app needs ${SLOW_STOP_S} s, grace ${STOP_GRACE_S} s)`,
      );
      const state = await containerState(container.name);
      assertEquals(state.running, false);
      assertEquals(state.exitCode, 0, "PID 1 exited by itself, not killed at the end of the grace");
      assert(
        seconds >= SLOW_STOP_S && seconds < STOP_GRACE_S,
        `stopped in ${seconds.toFixed(1)} s`,
      );
      assertEquals(
        (await Deno.readTextFile(`${dataDir}/instances/tiny/${STOP_MARKER}`)).trim(),
        `SIGTERM after ${SLOW_STOP_S} s`,
        "the app finished its own shutdown before the container ended",
      );
      const logs = await container.logs();
      assert(/SIGTERM: stopping instances/.test(logs), "AiKore logged its shutdown");
    });

    await t.step("every file AiKore and the instance wrote in /config is PUID:PGID's", async () => {
      const offenders = await filesNotOwnedBy(dataDir, PUID, PGID);
      assertEquals(offenders, []);
      const root = await Deno.stat(dataDir);
      assertEquals([root.uid, root.gid], [PUID, PGID]);
    });
  } catch (error) {
    say(
      `container log (last 80 lines):\n${
        (await container.logs()).split("\n").slice(-80).join("\n")
      }`,
    );
    throw error;
  } finally {
    await container.remove();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
