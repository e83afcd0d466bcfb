import type { Context, Hono } from "hono";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { Island } from "../../components/Island.tsx";
import { PageShell } from "../../components/PageShell.tsx";
import Dashboard from "../../islands/Dashboard.tsx";
import Settings from "../../islands/Settings.tsx";
import type { DashboardProps } from "../../islands/core/types.ts";
import type { BlueprintEntry } from "../../lib/blueprints/mod.ts";
import type { InstanceRecord } from "../../lib/db/mod.ts";
import type { GpuProvider } from "../../lib/telemetry/mod.ts";
import type { AppEnv } from "../../lib/http/mod.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { blueprintView } from "../api/blueprints.ts";
import { type BuildManifest, loadBuildManifest } from "./island_assets.ts";

/** What the dashboard and settings pages need. */
export interface DashboardPageDeps {
  service: { list(): readonly InstanceRecord[]; displayOrder(): readonly number[] };
  present: (record: InstanceRecord, c: Context<AppEnv>) => InstanceDto;
  catalog: { list(): Promise<BlueprintEntry[]> };
  gpu: GpuProvider | null;
  portRange: { start: number; end: number };
  authEnabled: boolean;
  version: string;
  /** Persistent mode on this host (absent: not known, the toggle is shown). */
  desktop?: { available: boolean; reason: string | null };
  /** The island bundle's manifest (default: build/manifest.json). */
  manifest?: () => Promise<BuildManifest | null>;
}

/** The system facts the dashboard shows before the first `stats` event. */
export function systemInfoOf(
  gpu: GpuProvider | null,
  portRange: DashboardPageDeps["portRange"],
  desktop: DashboardPageDeps["desktop"] = { available: true, reason: null },
) {
  const devices = gpu?.available ? gpu.devices : [];
  return {
    gpus: devices.map((d) => ({ id: d.index, name: d.name, memory_total: d.memoryTotalBytes })),
    gpu_telemetry: {
      available: gpu?.available ?? false,
      reason: gpu?.available ? null : (gpu?.reason ?? "no GPU telemetry"),
    },
    port_range: portRange,
    desktop,
  };
}

/** Builds the Dashboard island's props for a request. */
export async function dashboardProps(
  deps: DashboardPageDeps,
  c: Context<AppEnv>,
): Promise<DashboardProps> {
  const entries = await deps.catalog.list();
  const view = (source: string) =>
    entries.filter((e) => e.source === source).map((e) => {
      const b = blueprintView(e);
      return { ...b, source: e.source, error: b.error ?? null };
    });
  return {
    instances: deps.service.list().map((r) => deps.present(r, c)),
    order: [...deps.service.displayOrder()],
    blueprints: { stock: view("stock"), custom: view("custom") },
    system: systemInfoOf(deps.gpu, deps.portRange, deps.desktop),
    csrfToken: c.get("principal")?.csrfToken ?? null,
    authEnabled: deps.authEnabled,
    version: deps.version,
  };
}

async function page(
  c: Context<AppEnv>,
  deps: DashboardPageDeps,
  options: { title: string; island: string; body: VNode },
): Promise<Response> {
  const manifest = await (deps.manifest ?? loadBuildManifest)();
  c.header("Cache-Control", "no-store");
  if (!manifest) {
    return c.text("The browser bundle is not built: run `deno task build`.", 503);
  }
  const html = renderToString(
    <PageShell
      title={options.title}
      styles={["/static/dashboard.css", manifest.xtermCss]}
      scripts={[manifest.entry]}
      preload={[...manifest.entryPreload, ...(manifest.islands[options.island] ?? [])]}
      authDisabledBanner={!deps.authEnabled}
      bodyClass={`page-${options.island.toLowerCase()}`}
    >
      {options.body}
    </PageShell>,
  );
  return c.html(`<!DOCTYPE html>${html}`);
}

/** GET / (the dashboard) and GET /settings, server-rendered with hydrated islands. */
export function registerDashboardPages(app: Hono<AppEnv>, deps: DashboardPageDeps): void {
  app.get("/", async (c) =>
    page(c, deps, {
      title: "AiKore",
      island: "Dashboard",
      body: <Island name="Dashboard" component={Dashboard} props={await dashboardProps(deps, c)} />,
    }));
  app.get("/settings", (c) =>
    page(c, deps, {
      title: "Settings · AiKore",
      island: "Settings",
      body: (
        <main class="settings-page">
          <header class="app-header">
            <a class="brand" href="/">← AiKore</a>
            <h1>Settings</h1>
          </header>
          <Island
            name="Settings"
            component={Settings}
            props={{
              csrfToken: c.get("principal")?.csrfToken ?? null,
              authEnabled: deps.authEnabled,
              version: deps.version,
            }}
          />
        </main>
      ),
    }));
}
