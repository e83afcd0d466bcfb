/**
 * Hostile log health regex: an instance whose blueprint says `log:^(a+)+$` prints
 * lines of 10,000 'a' and a '!' for several seconds; meanwhile /healthz is asked every 10 ms.
 * Prints p50/p99/max of /healthz (target p99 < 50 ms; with JavaScript's backtracking engine
 * one 27-character line froze the server for 4 s). Also `^(a+)+b$`, which never matches, so
 * every line is tried.
 *
 *   deno run --allow-all tools/bench/health_regex.ts
 *   HEALTH_BENCH_SECONDS=10 deno run --allow-all tools/bench/health_regex.ts
 */
import { startServerHarness } from "../../tests/helpers/server_harness.ts";

const SECONDS = Number(Deno.env.get("HEALTH_BENCH_SECONDS") ?? 5);
const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
const PATTERNS = ["^(a+)+$", "^(a+)+b$"];

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function blueprint(pattern: string): string {
  return `#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = Hostile health regex
# aikore.category = Bench
# aikore.venv_type = none
# aikore.health = log:${pattern}
# aikore.start_timeout = 600
### AIKORE-METADATA-END ###
line=$(printf 'a%.0s' $(seq 10000))
end=$((SECONDS + ${SECONDS + 1}))
while [ $SECONDS -lt $end ]; do echo "$line!"; sleep 0.005; done
exec sleep 1000
`;
}

const h = await startServerHarness({}, {
  prepare: async (dataDir) => {
    await Deno.mkdir(`${dataDir}/custom_blueprints`, { recursive: true });
    for (const [i, pattern] of PATTERNS.entries()) {
      await Deno.writeTextFile(`${dataDir}/custom_blueprints/redos${i}.sh`, blueprint(pattern));
    }
  },
});
async function sampleHealthz(seconds: number): Promise<number[]> {
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const t0 = performance.now();
    const response = await fetch(`${h.url}/healthz`);
    await response.text();
    samples.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  return samples;
}

const summary = (samples: number[]) =>
  `p50=${percentile(samples, 0.5).toFixed(1)}ms p99=${percentile(samples, 0.99).toFixed(1)}ms ` +
  `max=${Math.max(...samples).toFixed(1)}ms n=${samples.length}`;

try {
  // This machine's own noise, with nothing running, for comparison.
  print(`health_regex idle healthz ${summary(await sampleHealthz(3))}`);
  for (const [i, pattern] of PATTERNS.entries()) {
    const made = await (await h.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({ name: `redos${i}`, base_blueprint: `redos${i}.sh` }),
    })).json();
    if (!made.id) throw new Error(`create failed: ${JSON.stringify(made)}`);
    const started = await h.fetch(`/api/instances/${made.id}/start`, { method: "POST" });
    if (!started.ok) throw new Error(`start failed: ${await started.text()}`);
    await started.body?.cancel();
    const samples = await sampleHealthz(SECONDS);
    const log = await (await h.fetch(`/api/instances/${made.id}/logs?offset=0`)).json();
    print(
      `health_regex pattern=log:${pattern} lines_printed≈${Math.round(log.size / 10_002)} ` +
        `healthz ${summary(samples)} (target p99 < 50 ms)`,
    );
    await (await h.fetch(`/api/instances/${made.id}/stop`, { method: "POST" })).body?.cancel();
  }
} finally {
  await h.close();
}
