/**
 * Instances API cost: median time of `GET /api/instances` with 500 instances (target < 2 ms)
 * and of one create (row + port + folder + launch.sh), in process through the real app.
 *
 *   deno run --allow-all tools/bench/instances_api.ts
 */
import { startHarness } from "../../tests/helpers/harness.ts";

const INSTANCES = 500;
const LIST_RUNS = 300;
const CREATES = 100;
const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `median ${at(0.5).toFixed(3)} ms, p90 ${at(0.9).toFixed(3)} ms, p99 ${
    at(0.99).toFixed(3)
  } ms`;
}

const h = await startHarness({ env: { AIKORE_INSTANCE_PORT_RANGE: "20000-20999" } });
try {
  const creates: number[] = [];
  for (let i = 0; i < CREATES; i++) {
    const started = performance.now();
    const response = await h.request("POST", "/api/instances", {
      name: `bench-${i}`,
      base_blueprint: "http_app.sh",
    });
    await response.body?.cancel();
    creates.push(performance.now() - started);
    if (response.status !== 201) throw new Error(`create failed: ${response.status}`);
  }
  const repo = h.services.store.repo;
  const template = repo.get(1);
  if (!template) throw new Error("no template row");
  for (let i = CREATES; i < INSTANCES; i++) {
    repo.insert({ ...template, name: `bench-${i}`, slug: `bench-${i}`, port: null });
  }
  const list: number[] = [];
  let bytes = 0;
  for (let i = 0; i < LIST_RUNS; i++) {
    const started = performance.now();
    const response = await h.request("GET", "/api/instances");
    const text = await response.text();
    list.push(performance.now() - started);
    bytes = text.length;
  }
  print(
    `GET /api/instances with ${INSTANCES} instances (${(bytes / 1024).toFixed(0)} KiB): ${
      summary(list.slice(20))
    } (target median < 2 ms)`,
  );
  print(`POST /api/instances (one create): ${summary(creates)}`);
  print("re-run: deno run --allow-all tools/bench/instances_api.ts");
} finally {
  await h.close();
}
