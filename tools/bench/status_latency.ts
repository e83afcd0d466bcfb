/**
 * Status latency: time from the app binding its port to the `started` event reaching an SSE
 * client, p50/p99 over N starts (target p50 ≤ 100 ms; the Python AiKore needed 1–3 s).
 * Then the idle cost: N_RUNNING running instances and 5 event clients, AiKore's RSS and CPU
 * over a period.
 *
 *   deno run --allow-all tools/bench/status_latency.ts
 *   STATUS_BENCH_STARTS=20 STATUS_BENCH_RUNNING=10 STATUS_BENCH_IDLE_SECONDS=10 deno run --allow-all tools/bench/status_latency.ts
 */
import { readSse, startServerHarness } from "../../tests/helpers/server_harness.ts";

const STARTS = Number(Deno.env.get("STATUS_BENCH_STARTS") ?? 50);
const RUNNING = Number(Deno.env.get("STATUS_BENCH_RUNNING") ?? 50);
const IDLE_SECONDS = Number(Deno.env.get("STATUS_BENCH_IDLE_SECONDS") ?? 60);
const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function cpuSecondsOfSelf(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

const h = await startServerHarness({
  AIKORE_INSTANCE_PORT_RANGE: "21000-21099",
  AIKORE_TERMINAL_LIMIT: "8",
});
try {
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await h.fetch(path, {
      method,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
    return json;
  };
  const inst = await api("POST", "/api/instances", {
    name: "latency",
    base_blueprint: "port_timestamp.sh",
  });
  const controller = new AbortController();
  const events = readSse(await h.fetch("/api/events", { signal: controller.signal }));
  await events.next(); // snapshot
  const latencies: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    await api("POST", `/api/instances/${inst.id}/start`);
    let startedAt = 0;
    while (true) {
      const { value: event, done } = await events.next();
      if (done || !event) throw new Error("the event stream ended");
      const data = JSON.parse(event.data);
      if (event.event === "instance" && data.id === inst.id && data.status === "started") {
        startedAt = performance.timeOrigin + performance.now();
        break;
      }
    }
    let bound = NaN;
    for (let attempt = 0; attempt < 50 && Number.isNaN(bound); attempt++) {
      const log = await api("GET", `/api/instances/${inst.id}/logs?offset=0`);
      bound = Number(/BOUND_AT_MS=([\d.]+)/.exec(log.content)?.[1]);
      if (Number.isNaN(bound)) await new Promise((r) => setTimeout(r, 20));
    }
    latencies.push(startedAt - bound);
    await api("POST", `/api/instances/${inst.id}/stop`);
  }
  controller.abort();
  print(
    `port open → "started" at an SSE client, ${STARTS} starts: p50 ${
      percentile(latencies, 0.5).toFixed(1)
    } ms, ` +
      `p99 ${
        percentile(latencies, 0.99).toFixed(1)
      } ms (target p50 ≤ 100 ms; Python AiKore 1000–3000 ms)`,
  );

  for (let i = 0; i < RUNNING; i++) {
    const created = await api("POST", "/api/instances", {
      name: `idle-${i}`,
      base_blueprint: "port_timestamp.sh",
    });
    await api("POST", `/api/instances/${created.id}/start`);
  }
  const clients = Array.from({ length: 5 }, () => new AbortController());
  for (const client of clients) {
    const stream = readSse(await h.fetch("/api/events?stats=1", { signal: client.signal }));
    (async () => {
      for await (const _ of stream) { /* drain */ }
    })();
  }
  await new Promise((r) => setTimeout(r, 3000));
  const cpuBefore = cpuSecondsOfSelf();
  const began = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const cpu = cpuSecondsOfSelf() - cpuBefore;
  const wall = (performance.now() - began) / 1000;
  const rssMiB = Deno.memoryUsage().rss / 1024 / 1024;
  print(
    `${RUNNING} running instances, 5 event clients with stats, ${IDLE_SECONDS} s: AiKore RSS ${
      rssMiB.toFixed(0)
    } MiB, ` +
      `CPU ${(100 * cpu / wall).toFixed(1)} % of one core (this process includes the SSE clients)`,
  );
  clients.forEach((c) => c.abort());
  print("re-run: deno run --allow-all tools/bench/status_latency.ts");
} finally {
  await h.close();
}
