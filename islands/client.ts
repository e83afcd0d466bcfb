/**
 * The one browser entry: finds the roots the server marked with `data-island`, reads their
 * props from the JSON script that follows each root, loads the island's chunk and hydrates it.
 */
import { h, hydrate } from "preact";
import type { ComponentType } from "preact";
import { installStyleShim } from "./core/style_shim.ts";

type IslandModule = { default: ComponentType<Record<string, unknown>> };

const ISLANDS: Record<string, () => Promise<IslandModule>> = {
  Dashboard: () => import("./Dashboard.tsx") as unknown as Promise<IslandModule>,
  Settings: () => import("./Settings.tsx") as unknown as Promise<IslandModule>,
};

function propsOf(root: Element): Record<string, unknown> {
  const script = root.nextElementSibling;
  if (!(script instanceof HTMLScriptElement) || !script.hasAttribute("data-island-props")) {
    return {};
  }
  return JSON.parse(script.textContent ?? "{}") as Record<string, unknown>;
}

async function hydrateAll(): Promise<void> {
  installStyleShim(document);
  for (const root of document.querySelectorAll("[data-island]")) {
    const name = root.getAttribute("data-island") ?? "";
    const load = ISLANDS[name];
    if (!load) throw new Error(`Unknown island "${name}"`);
    const module = await load();
    hydrate(h(module.default, propsOf(root)), root);
    root.setAttribute("data-hydrated", "true");
  }
  // Read by tests and tools/bench/ui_tti.ts: when the page became interactive.
  performance.mark("aikore:hydrated");
}

void hydrateAll();
