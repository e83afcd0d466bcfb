/**
 * `aikore instances …` through the real program (a child `deno run main.ts`) against a real
 * AiKore server, authenticated with an API token created through the API.
 */
import { freePorts } from "../../tests/helpers/free_ports.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../../tests/helpers/assert.ts";
import { ApiClient } from "./api_client.ts";
import { type ApiServer, runProgram, spawnProgram, startApiServer } from "./test_support.ts";
import { waitForStatus } from "./wait_for_status.ts";
import { FOLLOW_WAIT_SECONDS } from "./logs_command.ts";

function cliFor(server: ApiServer) {
  const env = { AIKORE_URL: server.url, AIKORE_TOKEN: server.token };
  return (args: string[], extra: Record<string, string> = {}) =>
    runProgram(["instances", ...args], { env: { ...env, ...extra } });
}

/** Reads a child's stdout until it contains `text`; what was read. */
async function readUntil(stream: ReadableStream<Uint8Array>, text: string): Promise<string> {
  const reader = stream.getReader();
  let seen = "";
  try {
    while (!seen.includes(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stdout ended before "${text}": ${seen}`);
      seen += new TextDecoder().decode(value);
    }
  } finally {
    reader.releaseLock();
  }
  return seen;
}

async function rest(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

Deno.test("instances ls, start, logs --follow, stop, restart drive a real server and print final states", async () => {
  const server = await startApiServer();
  const cli = cliFor(server);
  try {
    const { id, port } = await server.create("web", "http_app.sh");

    const ls = await cli(["ls"]);
    assertEquals(ls.code, 0, ls.stderr);
    const [header, row] = ls.stdout.trimEnd().split("\n");
    assertMatch(header ?? "", /^ID\s+NAME\s+STATUS\s+PORT\s+GPUS\s+IDLE\s+BLUEPRINT$/);
    assertMatch(
      row ?? "",
      new RegExp(`^${id}\\s+web\\s+stopped\\s+${port}\\s+.*\\s+off\\s+http_app\\.sh$`),
    );
    const json = await cli(["ls", "--json"]);
    assertEquals(JSON.parse(json.stdout).map((i: { slug: string }) => i.slug), ["web"]);

    const noWait = await cli(["start", "web", "--no-wait"]);
    assertEquals([noWait.code, noWait.stdout], [0, "web: starting\n"]);
    // --follow streams the output as the app writes it, and ends by itself once it stops.
    const follower = spawnProgram(["instances", "logs", "web", "--follow"], {
      env: { AIKORE_URL: server.url, AIKORE_TOKEN: server.token },
    });
    const followed = await readUntil(follower.stdout, "http_app: listening");
    assertMatch(followed, /http_app: opening port/);
    const stop = await cli(["stop", "web"]);
    assertEquals([stop.code, stop.stdout], [0, "web: stopped\n"]);
    const stoppedAt = performance.now();
    const [followStatus, followErr] = await Promise.all([follower.status, rest(follower.stderr)]);
    assertEquals(followStatus.code, 0);
    assertMatch(followErr, /web: stopped/);
    // The follower's open ask ends with the status change, not when its wait runs out.
    const lingered = performance.now() - stoppedAt;
    assert(lingered < (FOLLOW_WAIT_SECONDS * 1000) / 2, `the follower ended ${lingered} ms after`);

    const start = await cli(["start", String(id)]);
    assertEquals([start.code, start.stdout], [0, "web: started\n"], start.stderr);
    assertEquals((await server.api("GET", `/api/instances/${id}`)).body.status, "started");
    assertMatch((await cli(["ls"])).stdout, /web\s+started/);

    const log = await cli(["logs", "web"]);
    assertEquals(log.code, 0, log.stderr);
    assertMatch(
      log.stdout,
      /http_app: opening port \d+ in 1s\r?\n(.|\n)*http_app: listening\r?\n$/,
    );
    const tail = await cli(["logs", String(id), "--tail", "1"]);
    // The log comes from a PTY (CRLF); --tail keeps the bytes as they are.
    assertEquals(tail.stdout, `${log.stdout.split("\n").at(-2)}\n`);

    const pidBefore = (await server.api("GET", `/api/instances/${id}`)).body.pid;
    const restart = await cli(["restart", "web"]);
    assertEquals([restart.code, restart.stdout], [0, "web: started\n"], restart.stderr);
    const after = (await server.api("GET", `/api/instances/${id}`)).body;
    assertEquals(after.status, "started");
    assert(after.pid !== null && after.pid !== pidBefore, "restart ran a new process");
    const last = await cli(["stop", "web"]);
    assertEquals([last.code, last.stdout], [0, "web: stopped\n"]);
  } finally {
    await server.close();
  }
});

Deno.test("instances commands fail with one line naming the status and reason, exit 1 (2 for usage)", async () => {
  const server = await startApiServer();
  const cli = cliFor(server);
  try {
    await server.create("crash", "exits_at_once.sh");
    const failed = await cli(["start", "crash"]);
    assertEquals(failed.code, 1);
    assertEquals(failed.stdout, "");
    assertMatch(
      failed.stderr,
      /^(crash: .*\n)*crash: exited \(3\) — The app ended by itself \(exit code 3\)\n$/,
    );

    // A start that never becomes healthy ends in "stalled" (start_timeout = 2 s): exit 1.
    await server.create("slow", "never_opens_port.sh");
    const stalled = await cli(["start", "slow"]);
    assertEquals(stalled.code, 1);
    assertMatch(stalled.stderr, /(^|\n)slow: stalled — Not healthy after 2 s\n$/);

    const stopped = await cli(["stop", "crash"]);
    assertEquals([stopped.code, stopped.stdout], [0, "crash: stopped\n"]);
    const again = await cli(["stop", "crash"]);
    assertEquals([again.code, again.stderr], [
      1,
      'error: 409 conflict: "crash" is already stopped\n',
    ]);

    const missing = await cli(["logs", "nope"]);
    assertEquals([missing.code, missing.stderr], [
      1,
      'error: no instance "nope" (by slug or id); instances: crash, slow\n',
    ]);

    const badToken = await cli(["ls"], { AIKORE_TOKEN: "aik_wrong" });
    assertEquals(badToken.code, 1);
    assertMatch(
      badToken.stderr,
      /^error: 401 unauthorized: .+ \(check AIKORE_TOKEN or --token\)\n$/,
    );

    const noToken = await runProgram(["instances", "ls"], { env: { AIKORE_URL: server.url } });
    assertEquals(noToken.code, 2);
    assertMatch(noToken.stderr, /^error: no API token: set AIKORE_TOKEN/);

    const badTail = await cli(["logs", "crash", "--tail", "x"]);
    assertEquals([badTail.code, badTail.stderr], [
      2,
      'error: --tail must be a whole number from 0 to 100000, not "x"\n',
    ]);
    const noName = await cli(["start"]);
    assertEquals(noName.code, 2);
    assertMatch(
      noName.stderr,
      /^aikore instances start: missing NAME\nusage: aikore instances start NAME/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("--url and --token win over AIKORE_URL and AIKORE_TOKEN; a token from `tokens create` works", async () => {
  const server = await startApiServer();
  try {
    const deadUrl = `http://127.0.0.1:${freePorts(1)[0]}`; // nothing listens there
    const flagsWin = await runProgram(
      ["instances", "ls", "--url", server.url, `--token=${server.token}`],
      { env: { AIKORE_URL: deadUrl, AIKORE_TOKEN: "aik_wrong" } },
    );
    assertEquals([flagsWin.code, flagsWin.stdout], [0, "No instances.\n"], flagsWin.stderr);
    const unreachable = await runProgram(["instances", "ls", "--url", deadUrl], {
      env: { AIKORE_URL: server.url, AIKORE_TOKEN: server.token },
    });
    assertEquals(unreachable.code, 1);
    assertMatch(unreachable.stderr, new RegExp(`^error: cannot reach AiKore at ${deadUrl}: .+\n$`));

    const created = await runProgram(["tokens", "create", "from-cli"], {
      env: { AIKORE_DATA_DIR: server.dataDir },
    });
    assertEquals(created.code, 0, created.stderr);
    assertMatch(created.stdout, /^aik_[A-Za-z0-9_-]{43}\n$/);
    const withIt = await runProgram(["instances", "ls"], {
      env: { AIKORE_URL: server.url, AIKORE_TOKEN: created.stdout.trim() },
    });
    assertEquals([withIt.code, withIt.stdout], [0, "No instances.\n"], withIt.stderr);
  } finally {
    await server.close();
  }
});

Deno.test("waiting for a status gives up at the timeout, naming the status it is still in", async () => {
  const server = await startApiServer();
  try {
    const slow = await server.create("slow", "never_opens_port.sh");
    assertEquals((await server.api("POST", `/api/instances/${slow.id}/start`)).status, 200);
    // never_opens_port.sh stays "starting" for its 2 s start_timeout; the wait gives up first.
    const seen: string[] = [];
    await assertRejects(
      () =>
        waitForStatus(new ApiClient(server.url, server.token), slow.id, new Set(["started"]), {
          timeoutMs: 300,
          onChange: (instance) => Promise.resolve(void seen.push(instance.status)),
        }),
      /^still starting after 0\.3 s \(--timeout\)$/,
    );
    assertEquals(seen, ["starting"]);
  } finally {
    await server.close();
  }
});

Deno.test("instances start prints each install step the blueprint names while it starts", async () => {
  const server = await startApiServer();
  try {
    const { id } = await server.create("steps", "install_steps.sh");
    const dir = `${server.dataDir}/instances/steps`;
    await new Deno.Command("mkfifo", { args: [`${dir}/go`] }).output();
    const answer = async (line: string) => {
      const fifo = await Deno.open(`${dir}/go`, { write: true });
      await fifo.write(new TextEncoder().encode(`${line}\n`));
      fifo.close();
    };
    const child = spawnProgram(["instances", "start", "steps"], {
      env: { AIKORE_URL: server.url, AIKORE_TOKEN: server.token },
    });
    const stdout = new Response(child.stdout).text();
    await answer("begin");
    // The app waits for "go" until the CLI has printed its step: read its stderr as it comes.
    let stderr = "";
    const decoder = new TextDecoder();
    const reader = child.stderr.getReader();
    while (!stderr.includes("Installing the test app")) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += decoder.decode(value, { stream: true });
    }
    await answer("go");
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      stderr += decoder.decode(part.value, { stream: true });
    }
    const status = await child.status;
    assertEquals(status.code, 0, stderr);
    assertMatch(stderr, /^steps: starting — Installing the test app…$/m);
    assertEquals((await stdout).trim(), "steps: started");
    assertEquals(server.server.services.store.get(id)?.status, "started");
  } finally {
    await server.close();
  }
});
