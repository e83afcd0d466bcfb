/**
 * Time from navigation to interactive in Chromium for the dashboard with 20 instances:
 * DOMContentLoaded, islands hydrated (`aikore:hydrated`) and the event stream live
 * (`aikore:live`), medians over repeated reloads of a logged-in page (HTTP cache warm, as
 * for a returning user), plus the first cold load.
 *
 *   deno run --allow-all tools/bench/ui_tti.ts
 */
import { startBrowserHarness } from "../../tests/helpers/browser.ts";
import { median, print } from "./ui_support.ts";

const INSTANCES = 20;
const RELOADS = 15;

type Timing = { dcl: number; hydrated: number; live: number };

const b = await startBrowserHarness();
try {
  for (let i = 0; i < INSTANCES; i++) {
    const response = await b.harness.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({ name: `tti-${i}`, base_blueprint: "log_ready.sh" }),
    });
    await response.body?.cancel();
  }
  const { page } = b;
  const measure = async (): Promise<Timing> => {
    await page.waitForFunction(() => performance.getEntriesByName("aikore:live").length > 0);
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
      return {
        dcl: nav.domContentLoadedEventEnd,
        hydrated: at("aikore:hydrated"),
        live: at("aikore:live"),
      };
    });
  };
  await b.login();
  const cold = await measure();
  const runs: Timing[] = [];
  for (let i = 0; i < RELOADS; i++) {
    await page.reload();
    runs.push(await measure());
  }
  const line = (label: string, t: Timing) =>
    `${label}: DOMContentLoaded ${t.dcl.toFixed(0)} ms, interactive (hydrated) ${
      t.hydrated.toFixed(0)
    } ms, live events ${t.live.toFixed(0)} ms`;
  print(line("first load after login (cold cache)", cold));
  print(line(`median of ${RELOADS} reloads`, {
    dcl: median(runs.map((r) => r.dcl)),
    hydrated: median(runs.map((r) => r.hydrated)),
    live: median(runs.map((r) => r.live)),
  }));
  print(`dashboard with ${INSTANCES} instances, Chromium headless, 1366×768`);
  print("re-run: deno run --allow-all tools/bench/ui_tti.ts");
} finally {
  await b.close();
}
