/**
 * What an instance's environment held during a run (recorded once the app is healthy, or when a
 * run fails before it is), and what changed from one run to another: "torch 2.5.1 → 2.6.0" is
 * what a user needs when yesterday's working app fails to start today. Shared by the server (the
 * run history API) and the browser (the run history view).
 */

/** The installed Python packages and git checkouts of an instance's environment. */
export interface EnvironmentSnapshot {
  /** The Python version (`3.12.7`), or null when the environment has no Python. */
  python: string | null;
  /** Package name (normalized: lower case, `-`) → version. */
  packages: Record<string, string>;
  /** Checkout folder relative to the instance's folder (`ComfyUI/custom_nodes/X`) → commit. */
  checkouts: Record<string, string>;
}

/** One difference between two snapshots; `from` null: added, `to` null: removed. */
export interface EnvironmentChange {
  kind: "python" | "package" | "checkout";
  name: string;
  from: string | null;
  to: string | null;
}

/** Packages whose change most often breaks an app: listed first. */
const STACK = /^(torch|torchvision|torchaudio|xformers|triton|numpy|nvidia-.*|.*cuda.*)$/;

/** PEP 503 normalization: `Torch_Vision.x` and `torch-vision-x` are one package. */
export function normalizePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

function keyed(
  kind: EnvironmentChange["kind"],
  before: Record<string, string>,
  after: Record<string, string>,
): EnvironmentChange[] {
  const changes: EnvironmentChange[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[name] ?? null;
    const to = after[name] ?? null;
    if (from !== to) changes.push({ kind, name, from, to });
  }
  return changes;
}

/**
 * What changed from `before` to `after`: Python first, then the torch/CUDA stack, the other
 * packages, the checkouts, each by name.
 */
export function environmentChanges(
  before: EnvironmentSnapshot,
  after: EnvironmentSnapshot,
): EnvironmentChange[] {
  const rank = (change: EnvironmentChange) =>
    change.kind === "python"
      ? 0
      : change.kind === "package"
      ? (STACK.test(change.name) ? 1 : 2)
      : 3;
  const changes = [
    ...(before.python === after.python
      ? []
      : [{ kind: "python" as const, name: "Python", from: before.python, to: after.python }]),
    ...keyed("package", before.packages, after.packages),
    ...keyed("checkout", before.checkouts, after.checkouts),
  ];
  return changes.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** One change in words: "torch 2.5.1 → 2.6.0", "+ xformers 0.0.29", "− gradio 4.44.0". */
export function describeChange(change: EnvironmentChange): string {
  const short = (value: string) => change.kind === "checkout" ? value.slice(0, 12) : value;
  if (change.from === null) return `+ ${change.name} ${short(change.to ?? "")}`;
  if (change.to === null) return `− ${change.name} ${short(change.from)}`;
  return `${change.name} ${short(change.from)} → ${short(change.to)}`;
}

/** A run's environment in the run history (`GET /api/instances/{id}/runs`). */
export interface RunEnvironment {
  python: string | null;
  packages: number;
  checkouts: number;
  /** Recorded once the app was healthy (false: the run failed before it was). */
  healthy: boolean;
  /**
   * What changed since the last earlier run recorded healthy (`since`: when it started), or null
   * when there is none to compare with.
   */
  changes: EnvironmentChange[] | null;
  since: string | null;
}
