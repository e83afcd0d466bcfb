/**
 * `aikore instances runs NAME` through the real program against a real server: each run with its
 * outcome and what its environment held.
 */
import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { runProgram, startApiServer } from "./test_support.ts";

Deno.test("instances runs prints each run's outcome and environment; --json the API's; an unknown name exits 1", async () => {
  const server = await startApiServer();
  const env = { AIKORE_URL: server.url, AIKORE_TOKEN: server.token };
  const cli = (args: string[]) => runProgram(args, { env });
  try {
    const { id } = await server.create("fails", "exits_at_once.sh");
    assertEquals(
      (await cli(["instances", "runs", "fails"])).stdout.trim(),
      "fails has not run yet",
    );
    await server.api("POST", `/api/instances/${id}/start`);
    const services = server.server.services;
    await new Promise<void>((resolve) => {
      const ended = () => services.store.get(id)?.status === "exited";
      if (ended()) return resolve();
      const stop = services.bus.subscribe(() => ended() && (stop(), resolve()));
    });
    await services.environments.settled();

    const printed = await cli(["instances", "runs", "fails"]);
    assertEquals(printed.code, 0, printed.stderr);
    const [header, row] = printed.stdout.trimEnd().split("\n");
    assertMatch(header ?? "", /^STARTED\s+DURATION\s+OUTCOME\s+ENVIRONMENT$/);
    assertMatch(
      row ?? "",
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+ s\s+exited \(3\)\s+\d+ packages$/,
    );

    const json = JSON.parse((await cli(["instances", "runs", String(id), "--json"])).stdout);
    assertEquals([json.length, json[0].exit_code, json[0].environment.healthy], [1, 3, false]);

    const unknown = await cli(["instances", "runs", "nobody"]);
    assertEquals(unknown.code, 1);
  } finally {
    await server.close();
  }
});
