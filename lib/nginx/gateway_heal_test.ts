/**
 * The managed nginx heals itself (real nginx): a killed master comes back at once, ten times
 * in a row; a corrupted live config is set aside and the last good one serves again; a stale
 * pid file naming another program's nginx never gets it signalled; a pool port another
 * program holds is reported and left out, not fatal.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { silentLogger } from "../log/mod.ts";
import { restartDelayMs } from "./master_supervisor.ts";
import { NginxGateway } from "./nginx_gateway.ts";
import { AUTH, type GatewayFixture, startGatewayFixture } from "./testdata/gateway_fixture.ts";
import { freePorts } from "./testdata/raw_http.ts";

/** Fetches over a fresh connection (a pooled one may lead to a killed worker). */
async function freshStatus(url: string): Promise<number | null> {
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(url, { headers: AUTH, client });
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  } finally {
    client.close();
  }
}

/** Waits for restart number `restarts`, then for the dashboard; ms since `since`. */
async function dashboardBack(
  f: GatewayFixture,
  restarts: number,
  since = performance.now(),
  timeoutMs = 10_000,
): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    if (f.gateway.status.restarts >= restarts) {
      const status = await freshStatus(`http://127.0.0.1:${f.model.dashboardPort}/healthz`);
      if (status === 200) return performance.now() - since;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error("the dashboard did not come back");
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

Deno.test("the first ten deaths in a row are restarted at once, later ones within a second", () => {
  assertEquals([1, 5, 10].map(restartDelayMs), [0, 0, 0]);
  assertEquals([11, 12, 14, 30].map(restartDelayMs), [50, 100, 400, 1000]);
});

Deno.test("nginx master killed 10 times in a row: the dashboard is back each time", async () => {
  const f = await startGatewayFixture();
  try {
    const times: number[] = [];
    for (let round = 1; round <= 10; round++) {
      const pid = f.gateway.status.pid;
      assert(pid !== null);
      const killedAt = performance.now();
      Deno.kill(pid, "SIGKILL");
      times.push(Math.round(await dashboardBack(f, round, killedAt)));
      const app = await freshStatus(`http://127.0.0.1:${f.echoPort}/x`);
      assertEquals(app, 200, `round ${round}: the instance route is back too`);
    }
    // deno-lint-ignore no-console
    console.log(`dashboard back after each kill (ms): ${times.join(", ")}`);
    assertEquals(f.gateway.status.restarts, 10);
  } finally {
    await f.close();
  }
});

Deno.test("a corrupted live config plus a killed master: back on the last good config", async () => {
  const f = await startGatewayFixture();
  try {
    const { paths } = f.gateway;
    const good = await Deno.readTextFile(paths.confFile);
    await Deno.writeTextFile(paths.confFile, "events {}\nhttp { server { listen oops; }\n");
    const pid = f.gateway.status.pid;
    assert(pid !== null);
    Deno.kill(pid, "SIGKILL");
    await dashboardBack(f, 1);
    assertEquals(await Deno.readTextFile(paths.confFile), good, "the good config is live again");
    assertMatch(await Deno.readTextFile(paths.quarantineConf), /listen oops/);
    assertEquals(
      await freshStatus(`http://127.0.0.1:${f.model.dashboardPort}/instance/echo/y`),
      200,
    );
  } finally {
    await f.close();
  }
});

Deno.test("a stale pid file naming an unrelated nginx: that nginx survives AiKore's start", async () => {
  const other = await Deno.makeTempDir({ prefix: "other-nginx-" });
  const [otherPort = 0] = freePorts(1);
  await Deno.mkdir(`${other}/logs`);
  await Deno.writeTextFile(
    `${other}/nginx.conf`,
    `daemon off; pid ${other}/nginx.pid; error_log ${other}/logs/error.log;\n` +
      `events {}\nhttp { access_log off; client_body_temp_path ${other}/body; proxy_temp_path ${other}/proxy;\n` +
      `fastcgi_temp_path ${other}/f; uwsgi_temp_path ${other}/u; scgi_temp_path ${other}/s;\n` +
      `server { listen 127.0.0.1:${otherPort}; return 200 "other\\n"; } }\n`,
  );
  const unrelated = new Deno.Command("/usr/sbin/nginx", {
    args: ["-p", `${other}/`, "-c", `${other}/nginx.conf`, "-e", `${other}/logs/error.log`],
    stdout: "null",
    stderr: "null",
    // Its own process group, as a system nginx has: the group a stale pid file would name.
    detached: true,
  }).spawn();
  const dir = await Deno.makeTempDir({ prefix: "aikore-stale-pid-" });
  let f: GatewayFixture | null = null;
  try {
    let served = "";
    for (let i = 0; i < 200 && served !== "other\n"; i++) {
      served = await fetch(`http://127.0.0.1:${otherPort}/`).then((r) => r.text(), () => "");
      if (served !== "other\n") await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals(served, "other\n", "the unrelated nginx serves");
    await Deno.mkdir(`${dir}/nginx`, { recursive: true });
    await Deno.writeTextFile(`${dir}/nginx/nginx.pid`, `${unrelated.pid}\n`);
    f = await startGatewayFixture({ dataDir: dir });
    assert(alive(unrelated.pid), "the unrelated master was not signalled");
    assertEquals(await fetch(`http://127.0.0.1:${otherPort}/`).then((r) => r.text()), "other\n");
    assertEquals(await freshStatus(`http://127.0.0.1:${f.model.dashboardPort}/healthz`), 200);
  } finally {
    await f?.close();
    unrelated.kill("SIGQUIT");
    await unrelated.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.remove(other, { recursive: true }).catch(() => {});
  }
});

Deno.test("a pool port another program holds at start is reported and left out, not fatal", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-held-port-" });
  const [dashboardPort = 0, freePool = 0, heldPool = 0] = freePorts(3);
  const blocker = Deno.listen({ hostname: "127.0.0.1", port: heldPool });
  const gateway = new NginxGateway({
    binary: "/usr/sbin/nginx",
    dataDir: dir,
    logger: silentLogger,
  });
  try {
    const result = await gateway.start({
      listenHost: "127.0.0.1",
      dashboardPort,
      backendPort: freePorts(1)[0] ?? 1,
      serverNames: ["127.0.0.1"],
      poolPorts: [freePool, heldPool],
    });
    assertEquals([result.ok, result.error], [true, null]);
    assertEquals(Object.keys(result.portErrors), [String(heldPool)]);
    assertMatch(result.portErrors[heldPool] ?? "", /is in use by another program/);
    assertEquals(gateway.status.portErrors, result.portErrors);
    assert(gateway.listensOn(freePool) && !gateway.listensOn(heldPool));
    const live = await Deno.readTextFile(gateway.paths.confFile);
    assert(live.includes(`:${freePool};`) && !live.includes(`:${heldPool};`));
  } finally {
    blocker.close();
    await gateway.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
