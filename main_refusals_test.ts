/**
 * The real program refuses to start, with one clear line and exit code 2, instead of crashing
 * or harming another AiKore: a second AiKore on one data dir (the first one's instances run
 * on; a kill -9'd holder's lock is taken over) and a port that another program holds.
 */
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { FIXTURE_BLUEPRINTS, freeRange } from "./tests/helpers/harness.ts";
import {
  type AikoreChild,
  apiToken,
  callApi,
  endHeldProcesses,
  startAikore,
} from "./tests/helpers/aikore_process.ts";
import { isRunning } from "./lib/procfs/mod.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

function aikore(dataDir: string, port: number, extra: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "serve"],
    env: {
      AIKORE_DATA_DIR: dataDir,
      AIKORE_LISTEN: `127.0.0.1:${port}`,
      AIKORE_NGINX: "off",
      AIKORE_BLUEPRINTS_DIR: FIXTURE_BLUEPRINTS,
      AIKORE_PASSWORD: "correct horse battery staple",
      AIKORE_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1",
      AIKORE_LOG: "error",
      ...extra,
    },
    stdout: "null",
    stderr: "piped",
  });
}

async function freePort(): Promise<number> {
  return Number((await freeRange(1)).split("-")[0]);
}

async function untilHealthy(port: number, child: Deno.ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error("AiKore did not start");
}

/**
 * Runs the program to its end; returns the exit code and stderr lines. A refusal is immediate:
 * a program still running after 60 s is killed, and the test fails on its exit code.
 */
async function refusal(command: Deno.Command): Promise<{ code: number; lines: string[] }> {
  const child = command.spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const { code, stderr } = await child.output();
    const lines = new TextDecoder().decode(stderr).split("\n").filter((l) => l.trim() !== "");
    return { code, lines };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a second AiKore on the same data dir exits 2 naming the holder, touching nothing; a kill -9'd holder's lock is taken over", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-lock-" });
  const [portB, portC] = [await freePort(), await freePort()];
  let first: AikoreChild | null = await startAikore(dataDir, await freePort(), await freeRange(3));
  try {
    const token = await apiToken(first.url);
    const created = await callApi(first.url, token, "POST", "/api/instances", {
      name: "kept",
      base_blueprint: "log_ready.sh",
    });
    const id = created.body.id;
    assertEquals(
      (await callApi(first.url, token, "POST", `/api/instances/${id}/start`)).status,
      200,
    );
    let instance = (await callApi(first.url, token, "GET", `/api/instances/${id}`)).body;
    for (let i = 0; i < 100 && instance.status !== "started"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      instance = (await callApi(first.url, token, "GET", `/api/instances/${id}`)).body;
    }
    assertEquals(instance.status, "started");

    const second = await refusal(aikore(dataDir, portB));
    assertEquals(second.code, 2);
    assertEquals(second.lines.length, 1, second.lines.join("\n"));
    assert(
      second.lines[0]?.includes(
        `another AiKore (pid ${first.child.pid}) is already using the data directory`,
      ),
      second.lines[0],
    );
    const after = (await callApi(first.url, token, "GET", `/api/instances/${id}`)).body;
    assertEquals(
      [after.status, after.pid],
      ["started", instance.pid],
      "the first one's app runs on",
    );
    assert(isRunning(instance.pid), "its process is alive");

    first.child.kill("SIGKILL");
    await first.child.status;
    first = null;
    const third = aikore(dataDir, portC).spawn();
    try {
      await untilHealthy(portC, third);
      const holder = Deno.readTextFileSync(`${dataDir}/aikore.lock`).split(" ")[0];
      assertEquals(Number(holder), third.pid, "the lock file names the new holder");
    } finally {
      third.kill("SIGKILL");
      await third.status;
      await third.stderr.cancel();
    }
  } finally {
    if (first) {
      first.child.kill("SIGKILL");
      await first.child.status;
    }
    await endHeldProcesses(dataDir); // the held app outlived both AiKores, as it should
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a dashboard port held by another program: one clear line and exit 2, no stack trace", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-busy-" });
  const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (holder.addr as Deno.NetAddr).port;
  try {
    const result = await refusal(aikore(dataDir, port));
    assertEquals(result.code, 2);
    assertEquals(result.lines, [
      `AiKore cannot start: port ${port} on 127.0.0.1 (AIKORE_LISTEN) is already in use by another program; free it or choose another port`,
    ]);
  } finally {
    holder.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

const hasNginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].some((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

for (const which of ["AIKORE_LISTEN", "AIKORE_BACKEND_PORT"] as const) {
  Deno.test({
    name:
      `with the managed gateway, a busy ${which} port: exit 2, the last line names it, no stack trace`,
    ignore: !hasNginx,
    async fn() {
      const dataDir = await Deno.makeTempDir({ prefix: "aikore-busy-" });
      const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const busy = (holder.addr as Deno.NetAddr).port;
      try {
        const other = await freePort();
        const result = await refusal(
          which === "AIKORE_LISTEN"
            ? aikore(dataDir, busy, { AIKORE_NGINX: "managed", AIKORE_BACKEND_PORT: String(other) })
            : aikore(dataDir, other, {
              AIKORE_NGINX: "managed",
              AIKORE_BACKEND_PORT: String(busy),
            }),
        );
        assertEquals(result.code, 2);
        assertEquals(
          result.lines.at(-1),
          `AiKore cannot start: port ${busy} on 127.0.0.1 (${which}) is already in use by another program; free it or choose another port`,
        );
        assert(!result.lines.some((line) => line.includes("Uncaught")), result.lines.join("\n"));
      } finally {
        holder.close();
        await Deno.remove(dataDir, { recursive: true });
      }
    },
  });
}
