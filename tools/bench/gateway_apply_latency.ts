/**
 * Time from an instance's "started" event to the first 200 through its port route, with a
 * real AiKore, its managed nginx and a real app (tests/fixtures/gateway/plane_app.ts). The
 * config never changes, so this is the routing table update plus one proxied request: each
 * round starts the instance, polls `http://127.0.0.1:<pool port>/` on fresh connections from
 * the moment the event is published, then stops it. Also counts nginx reloads (expected 0).
 *
 * Every other round asks the app's internal port instead, to show the app's own first answer.
 *
 * Re-run: deno run --allow-all tools/bench/gateway_apply_latency.ts [rounds=30]
 */
import { startGatewayHarness } from "../../tests/helpers/gateway_harness.ts";
import type { InstanceRecord } from "../../lib/db/mod.ts";
import { percentile, print } from "./gateway_bench_support.ts";

const rounds = Number(Deno.args[0] ?? 30);

/** Polls `url` on fresh connections until it answers 200; ms since `since`. */
async function firstOk(url: string, cookie: string, since: number): Promise<number> {
  while (true) {
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const response = await fetch(url, { client, headers: { cookie } });
      await response.body?.cancel();
      if (response.status === 200) return performance.now() - since;
    } catch {
      // Not answering yet.
    } finally {
      client.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const h = await startGatewayHarness();
const times: number[] = [];
const direct: number[] = [];
try {
  const app = await h.create("bench");
  const cookie = h.authHeaders().cookie ?? "";
  const logBefore = await h.nginxLog();
  for (let round = 0; round < rounds; round++) {
    const started = Promise.withResolvers<number>();
    let appPort = 0;
    const unsubscribe = h.server.services.bus.subscribe((event) => {
      const record = event.data as InstanceRecord;
      if (event.type === "instance" && record.id === app.id && record.status === "started") {
        appPort = record.appPort ?? 0;
        started.resolve(performance.now());
      }
    });
    // Not awaited first: the event may come before the start call answers.
    const call = h.start(app.id);
    const at = await started.promise;
    unsubscribe();
    // Odd rounds ask the app on its internal port: its own first answer, for comparison.
    if (round % 2 === 0) times.push(await firstOk(`http://127.0.0.1:${app.port}/`, cookie, at));
    else direct.push(await firstOk(`http://127.0.0.1:${appPort}/`, cookie, at));
    await call;
    await h.stop(app.id);
  }
  const reloads = (await h.nginxLog()).slice(logBefore.length).split("\n")
    .filter((line) => /reconfiguring/.test(line)).length;
  const line = (values: number[]) =>
    `p50 ${percentile(values, 50).toFixed(1)} ms, p90 ${percentile(values, 90).toFixed(1)} ms, ` +
    `max ${Math.max(...values).toFixed(1)} ms (${values.length} starts)`;
  print(`"started" event → first 200, ${rounds} starts of a real app:`);
  print(`  through the port route (nginx + check): ${line(times)}`);
  print(`  the app's own port, for comparison:     ${line(direct)}`);
  print(`  nginx reloads during the run: ${reloads}`);
} finally {
  await h.close();
}
