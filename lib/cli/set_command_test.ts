/**
 * `aikore instances set NAME --idle-stop …` and "stopped (idle)" in `ls` and in status lines,
 * through the real program (a child `deno run main.ts`) against a real AiKore whose idle-stop
 * minute is shortened (a start option only).
 */
import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { IDLE_STOP_NOTE, isIdleStopped } from "../shared/idle_stop.ts";
import type { InstanceDto } from "../shared/instance_schema.ts";
import { ApiClient } from "./api_client.ts";
import { readServerEvents } from "./event_stream.ts";
import { statusLine } from "./instance_table.ts";
import { idleStopFlag } from "./set_command.ts";
import { type ApiServer, runProgram, startApiServer } from "./test_support.ts";

const MINUTE_MS = 1500;

function cliFor(server: ApiServer) {
  const env = { AIKORE_URL: server.url, AIKORE_TOKEN: server.token };
  return (args: string[]) => runProgram(["instances", ...args], { env });
}

/**
 * Follows the event stream until instance `id` is stopped by the idle policy: the stop and its
 * note are two writes, so a plain wait for "stopped" could see the first alone.
 */
async function idleStopped(server: ApiServer, id: number): Promise<InstanceDto> {
  const api = new ApiClient(server.url, server.token);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  try {
    const response = await api.send("GET", "/api/events", controller.signal);
    if (!response.body) throw new Error("the event stream has no body");
    for await (const message of readServerEvents(response.body)) {
      const found: InstanceDto[] = message.event === "snapshot"
        ? (JSON.parse(message.data) as { instances: InstanceDto[] }).instances
        : message.event === "instance"
        ? [JSON.parse(message.data) as InstanceDto]
        : [];
      const current = found.find((i) => i.id === id);
      if (
        current && isIdleStopped({ status: current.status, statusMessage: current.status_message })
      ) {
        return current;
      }
    }
    throw new Error("the event stream ended first");
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** The `ls` row of `slug`, split on runs of two or more spaces. */
async function lsRow(cli: ReturnType<typeof cliFor>, slug: string): Promise<string[]> {
  const ls = await cli(["ls"]);
  assertEquals(ls.code, 0, ls.stderr);
  const [header, ...rows] = ls.stdout.trimEnd().split("\n");
  assertEquals(header?.split(/\s{2,}/), [
    "ID",
    "NAME",
    "STATUS",
    "PORT",
    "GPUS",
    "IDLE",
    "BLUEPRINT",
  ]);
  const row = rows.map((r) => r.split(/\s{2,}/)).find((cells) => cells[1]?.endsWith(slug));
  if (!row) throw new Error(`no ls row for ${slug}: ${ls.stdout}`);
  return row;
}

Deno.test("--idle-stop takes minutes or off and refuses what the server would refuse", () => {
  assertEquals([idleStopFlag("30"), idleStopFlag("off"), idleStopFlag("0")], [30, null, null]);
  assertEquals(idleStopFlag("10080"), 10080);
  assertEquals(idleStopFlag("10081"), {
    problem:
      '--idle-stop must be in 0-10080 minutes (0 or null: off), not "10081" ("off" turns it off)',
  });
  assertEquals(idleStopFlag("-5"), {
    problem:
      '--idle-stop must be in 0-10080 minutes (0 or null: off), not "-5" ("off" turns it off)',
  });
  assertEquals(idleStopFlag("1.5"), {
    problem:
      '--idle-stop must be a whole number of minutes (0 or null: off), not "1.5" ("off" turns it off)',
  });
});

Deno.test("instances set changes the idle-stop policy; bad values change nothing; a satellite is refused", async () => {
  const server = await startApiServer();
  const cli = cliFor(server);
  try {
    const { id } = await server.create("web", "http_app.sh");
    const stored = async () => (await server.api("GET", `/api/instances/${id}`)).body;

    const set = await cli(["set", "web", "--idle-stop", "30"]);
    assertEquals([set.code, set.stdout, set.stderr], [0, "web: idle stop: 30 min\n", ""]);
    assertEquals((await stored()).idle_stop_minutes, 30);
    assertEquals((await lsRow(cli, "web"))[5], "30 min");

    for (const bad of ["20000", "soon", "-1"]) {
      const refused = await cli(["set", "web", `--idle-stop=${bad}`]);
      assertEquals(refused.code, 2, `"${bad}" is a usage error`);
      assertMatch(refused.stderr, new RegExp(`^error: --idle-stop must be .+, not "${bad}"`));
      assertEquals(refused.stdout, "");
    }
    const nothing = await cli(["set", "web"]);
    assertEquals([nothing.code, nothing.stderr], [
      2,
      "error: nothing to set: pass --idle-stop MINUTES|off\n",
    ]);
    assertEquals((await stored()).idle_stop_minutes, 30, "refused values changed nothing");

    const off = await cli(["set", String(id), "--idle-stop", "off"]);
    assertEquals([off.code, off.stdout], [0, "web: idle stop: off\n"], off.stderr);
    assertEquals((await stored()).idle_stop_minutes, null);
    assertEquals((await lsRow(cli, "web"))[5], "off");

    // The server's own refusal (422 naming the field) is passed on as one line, exit 1.
    const sat = await server.api("POST", `/api/instances/${id}/instantiate`, {
      new_name: "web-sat",
    });
    assertEquals(sat.status, 201, JSON.stringify(sat.body));
    const satellite = await cli(["set", sat.body.slug, "--idle-stop", "5"]);
    assertEquals(satellite.code, 1);
    assertMatch(
      satellite.stderr,
      /^error: 422 invalid_input: .*idle_stop_minutes: a satellite inherits this from its parent.*\n$/,
    );
    assertEquals(
      (await server.api("GET", `/api/instances/${sat.body.id}`)).body.idle_stop_minutes,
      null,
    );
  } finally {
    await server.close();
  }
});

Deno.test("an idle-stopped instance reads stopped (idle) in ls and status lines; a running one takes a new policy without a restart", async () => {
  const server = await startApiServer({ idleTiming: { minuteMs: MINUTE_MS, checkEveryMs: 100 } });
  const cli = cliFor(server);
  try {
    const { id } = await server.create("napper", "http_app.sh");
    assertEquals((await cli(["set", "napper", "--idle-stop", "1"])).code, 0);
    const start = await cli(["start", "napper"]);
    assertEquals([start.code, start.stdout], [0, "napper: started\n"], start.stderr);
    // Nobody calls it: one (shortened) minute later the policy stops it.
    const stopped = await idleStopped(server, id);
    assertEquals([stopped.status, stopped.status_message], ["stopped", IDLE_STOP_NOTE]);
    // The line start/stop print: the note would only repeat "(idle)".
    assertEquals(statusLine(stopped), "napper: stopped (idle)");
    assertEquals((await lsRow(cli, "napper")).slice(1, 3), ["napper", "stopped (idle)"]);
    const again = await cli(["stop", "napper"]);
    assertEquals([again.code, again.stderr], [
      1,
      'error: 409 conflict: "napper" is already stopped\n',
    ]);

    // A long policy from here on: the next steps must not race the next idle stop.
    assertEquals((await cli(["set", "napper", "--idle-stop", "100"])).code, 0);
    const restart = await cli(["start", "napper"]);
    assertEquals([restart.code, restart.stdout], [0, "napper: started\n"], restart.stderr);
    assertEquals((await lsRow(cli, "napper"))[2], "started", "a start clears the idle note");
    // The watcher reads the policy at each look: a running instance takes it as it is.
    const pid = (await server.api("GET", `/api/instances/${id}`)).body.pid;
    const live = await cli(["set", "napper", "--idle-stop", "off"]);
    assertEquals([live.code, live.stdout], [0, "napper: idle stop: off\n"], live.stderr);
    const after = (await server.api("GET", `/api/instances/${id}`)).body;
    assertEquals([after.status, after.pid], ["started", pid], "changed without a restart");
    assertEquals((await server.api("GET", `/api/instances/${id}`)).body.idle_stop_minutes, null);
    const stop = await cli(["stop", "napper"]);
    assertEquals([stop.code, stop.stdout], [0, "napper: stopped\n"], stop.stderr);
  } finally {
    await server.close();
  }
});
