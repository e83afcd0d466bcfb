/**
 * Server-side rendering of the dashboard with 100 instances (20 of them satellites): the
 * Preact render alone (target < 5 ms) and the whole `GET /` (props from the database and the
 * blueprint catalog, render, response).
 *
 *   deno run --allow-all tools/bench/ui_ssr.ts
 */
import { h as element } from "preact";
import { renderToString } from "preact-render-to-string";
import { Island } from "../../components/Island.tsx";
import Dashboard from "../../islands/Dashboard.tsx";
import type { DashboardProps } from "../../islands/core/types.ts";
import { startHarness } from "../../tests/helpers/harness.ts";
import { ensureIslandsBuilt } from "../build_islands.ts";
import { dashboardApp, print, seedInstances, summary } from "./ui_support.ts";

const INSTANCES = 100;
const RUNS = 300;
const WARMUP = 30;

await ensureIslandsBuilt();
const h = await startHarness({ env: { AIKORE_INSTANCE_PORT_RANGE: "21000-21199" } });
try {
  await seedInstances(h, INSTANCES);
  const app = dashboardApp(h);
  const page = async () => {
    const response = await app.request("/", { headers: { host: "127.0.0.1:9000" } });
    return await response.text();
  };
  const html = await page();
  const json = /data-island-props="Dashboard">(.*?)<\/script>/s.exec(html)?.[1];
  if (!json) throw new Error("the page has no Dashboard props");
  const props = JSON.parse(json) as DashboardProps;
  if (props.instances.length !== INSTANCES) throw new Error("not every instance was rendered");

  const render: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const started = performance.now();
    renderToString(
      element(Island<DashboardProps>, { name: "Dashboard", component: Dashboard, props }),
    );
    if (i >= WARMUP) render.push(performance.now() - started);
  }
  const full: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const started = performance.now();
    await page();
    if (i >= WARMUP) full.push(performance.now() - started);
  }
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  print(
    `dashboard SSR, ${INSTANCES} instances: render ${summary(render)}, fastest ${
      Math.min(...render).toFixed(2)
    } ms (target median < 5 ms)`,
  );
  print(`GET / (props + render + response): ${summary(full)}`);
  print(`page size ${kib(new TextEncoder().encode(html).length)}, props ${kib(json.length)}`);
  print("re-run: deno run --allow-all tools/bench/ui_ssr.ts");
} finally {
  await h.close();
}
