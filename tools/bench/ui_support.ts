/** Shared pieces of the UI benchmarks: statistics and a dashboard app over a harness. */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/mod.ts";
import { toInstanceDto, urlContextOf } from "../../lib/instances/mod.ts";
import { registerDashboardPages } from "../../routes/pages/dashboard.tsx";
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

/** The dashboard pages over a harness's services, as a logged-in session sees them. */
export function dashboardApp(h: Harness): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use((c, next) => {
    c.set("principal", { kind: "session", actor: "session:bench", csrfToken: "bench" });
    return next();
  });
  registerDashboardPages(app, {
    service: h.services.instances,
    present: (record, c) =>
      toInstanceDto(record, urlContextOf(c.req.url, c.req.header("host")), {
        ok: false,
        reason: "not published: the gateway is off",
        portRoute: false,
        pathRoute: false,
      }),
    catalog: h.services.catalog,
    gpu: null,
    portRange: h.config.portRange,
    authEnabled: true,
    version: "bench",
  });
  return app;
}
