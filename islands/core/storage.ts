/** localStorage access that never throws (private mode, quota, disabled storage). */

/** Reads a JSON value; `fallback` when absent or unreadable. */
export function loadJson<T>(key: string, fallback: T, valid: (value: unknown) => boolean): T {
  try {
    const text = globalThis.localStorage?.getItem(key);
    if (!text) return fallback;
    const value: unknown = JSON.parse(text);
    return valid(value) ? value as T : fallback;
  } catch {
    return fallback;
  }
}

/** Writes a JSON value (ignored when storage is unavailable). */
export function saveJson(key: string, value: unknown): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: sizes and tabs are a convenience only
  }
}

/** Keys the dashboard keeps in localStorage. */
export const STORAGE_KEYS = {
  split: "aikore.split",
  toolsView: "aikore.tools.view",
  terminals: "aikore.terminals",
} as const;
