/** Split.js between the panes, sizes remembered in localStorage (browser only). */
import { useEffect } from "preact/hooks";
import Split from "split.js";
import { loadJson, saveJson, STORAGE_KEYS } from "../core/storage.ts";

interface SplitSizes {
  vertical: [number, number];
  horizontal: [number, number];
}

const DEFAULTS: SplitSizes = { vertical: [58, 42], horizontal: [68, 32] };

function validPair(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 &&
    value.every((n) => typeof n === "number" && n > 0 && n < 100);
}

function validSizes(value: unknown): boolean {
  const sizes = value as Partial<SplitSizes> | null;
  return !!sizes && validPair(sizes.vertical) && validPair(sizes.horizontal);
}

/** Makes #pane-instances/#pane-bottom and #pane-tools/#pane-monitor resizable. */
export function useSplitPanes(): void {
  useEffect(() => {
    const sizes = loadJson<SplitSizes>(STORAGE_KEYS.split, DEFAULTS, validSizes);
    const save = () => saveJson(STORAGE_KEYS.split, sizes);
    document.body.classList.add("split-ready");
    const vertical = Split(["#pane-instances", "#pane-bottom"], {
      direction: "vertical",
      sizes: sizes.vertical,
      minSize: [120, 160],
      gutterSize: 6,
      onDragEnd: (next) => {
        sizes.vertical = [next[0] ?? 58, next[1] ?? 42];
        save();
      },
    });
    const horizontal = Split(["#pane-tools", "#pane-monitor"], {
      sizes: sizes.horizontal,
      minSize: [320, 220],
      gutterSize: 6,
      onDragEnd: (next) => {
        sizes.horizontal = [next[0] ?? 68, next[1] ?? 32];
        save();
      },
    });
    return () => {
      vertical.destroy();
      horizontal.destroy();
      document.body.classList.remove("split-ready");
    };
  }, []);
}
