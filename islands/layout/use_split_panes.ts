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

/** How far one arrow key moves a divider (percent of the split). */
const STEP = 4;

/**
 * Makes a split.js gutter a focusable separator: arrow keys move it, Home/End go to the
 * limits, and the new sizes are remembered like a drag.
 */
function keyboardGutter(
  selector: string,
  label: string,
  split: Split.Instance,
  store: (sizes: [number, number]) => void,
  initial: [number, number],
): () => void {
  const gutter = document.querySelector<HTMLElement>(selector);
  if (!gutter) return () => {};
  const vertical = selector.includes("vertical");
  gutter.tabIndex = 0;
  gutter.setAttribute("role", "separator");
  gutter.setAttribute("aria-label", label);
  gutter.setAttribute("aria-orientation", vertical ? "horizontal" : "vertical");
  gutter.setAttribute("aria-valuemin", "0");
  gutter.setAttribute("aria-valuemax", "100");
  const show = (first: number) => gutter.setAttribute("aria-valuenow", String(Math.round(first)));
  show(initial[0]);
  const onKey = (event: KeyboardEvent) => {
    const [first] = split.getSizes();
    if (first === undefined) return;
    const back = vertical ? "ArrowUp" : "ArrowLeft";
    const forward = vertical ? "ArrowDown" : "ArrowRight";
    let next: number | null = null;
    if (event.key === back) next = first - STEP;
    else if (event.key === forward) next = first + STEP;
    else if (event.key === "Home") next = 10;
    else if (event.key === "End") next = 90;
    if (next === null) return;
    event.preventDefault();
    next = Math.min(90, Math.max(10, next));
    split.setSizes([next, 100 - next]);
    const applied = split.getSizes();
    const pair: [number, number] = [applied[0] ?? next, applied[1] ?? 100 - next];
    show(pair[0]);
    store(pair);
  };
  gutter.addEventListener("keydown", onKey);
  return () => gutter.removeEventListener("keydown", onKey);
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
    const unbind = [
      keyboardGutter(
        ".gutter-vertical",
        "Resize the instances and tools panes",
        vertical,
        (next) => {
          sizes.vertical = next;
          save();
        },
        sizes.vertical,
      ),
      keyboardGutter(
        ".gutter-horizontal",
        "Resize the tools and system panes",
        horizontal,
        (next) => {
          sizes.horizontal = next;
          save();
        },
        sizes.horizontal,
      ),
    ];
    return () => {
      for (const off of unbind) off();
      vertical.destroy();
      horizontal.destroy();
      document.body.classList.remove("split-ready");
    };
  }, []);
}
