/** Shared pieces of the UI benchmarks: statistics and a dashboard app over a harness. */
import type { Harness } from "../../tests/helpers/harness.ts";

export const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

/** "median …, p90 …" of millisecond samples. */
export function summary(samples: number[], digits = 2): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `median ${at(0.5).toFixed(digits)} ms, p90 ${at(0.9).toFixed(digits)} ms`;
}

/** The median of samples. */
export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Adds `count` instances (a fifth of them satellites) straight into the repository. */
export async function seedInstances(h: Harness, count: number): Promise<void> {
  const created = await h.json("POST", "/api/instances", {
    name: "bench-0",
    base_blueprint: "http_app.sh",
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.status}`);
  const repo = h.services.store.repo;
  const template = repo.get(created.body.id);
  if (!template) throw new Error("no template row");
  let parent = template.id;
  for (let i = 1; i < count; i++) {
    const satellite = i % 5 === 0;
    const row = repo.insert({
      ...template,
      name: `bench-${i}`,
      slug: `bench-${i}`,
      port: null,
      parentId: satellite ? parent : null,
    });
    if (!satellite) parent = row.id;
  }
}

export { dashboardApp } from "../../tests/helpers/dashboard_app.ts";
