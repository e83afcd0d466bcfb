/**
 * How the instances table is looked at: a search, a sort, compact rows and a selection for
 * bulk actions. Pure functions over groups (tested without a browser) plus the signals.
 */
import { signal } from "@preact/signals";
import type { InstanceDto, InstanceStatus } from "../../lib/shared/instance_schema.ts";
import type { Group } from "./grouping.ts";
import { loadJson, saveJson } from "./storage.ts";

export type SortKey = "order" | "name" | "status" | "blueprint";
export const SORT_LABELS: Record<SortKey, string> = {
  order: "Display order",
  name: "Name",
  status: "Status (failed first)",
  blueprint: "Blueprint",
};

/** Failed first, then running, then the rest: what needs attention comes up. */
const STATUS_RANK: Record<InstanceStatus, number> = {
  error: 0,
  exited: 1,
  stalled: 2,
  starting: 3,
  started: 4,
  stopping: 5,
  installing: 6,
  stopped: 7,
};

type Lookup = (id: number) => InstanceDto | undefined;

/** Whether an instance matches every word of the search (name, slug, blueprint, status). */
export function matches(dto: InstanceDto, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [dto.name, dto.slug, dto.base_blueprint, dto.status].join(" ").toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** The groups to show: those with a matching member, sorted by their root. */
export function viewGroups(
  groups: readonly Group[],
  lookup: Lookup,
  query: string,
  sort: SortKey,
): Group[] {
  const shown = groups.filter((group) =>
    [group.rootId, ...group.satelliteIds].some((id) => {
      const dto = lookup(id);
      return dto !== undefined && matches(dto, query);
    })
  );
  if (sort === "order") return shown;
  const key = (group: Group): string | number => {
    const dto = lookup(group.rootId);
    if (!dto) return "";
    if (sort === "status") return STATUS_RANK[dto.status];
    return (sort === "name" ? dto.name : dto.base_blueprint).toLowerCase();
  };
  return [...shown].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x < y) return -1;
    if (x > y) return 1;
    return (lookup(a.rootId)?.name ?? "").localeCompare(lookup(b.rootId)?.name ?? "");
  });
}

/** "3 running · 1 failed · 12 total" parts, for the header. */
export function statusSummary(dtos: readonly InstanceDto[]): {
  running: number;
  failed: number;
  total: number;
} {
  let running = 0;
  let failed = 0;
  for (const dto of dtos) {
    if (dto.status === "started" || dto.status === "starting") running++;
    if (dto.status === "exited" || dto.status === "error" || dto.status === "stalled") failed++;
  }
  return { running, failed, total: dtos.length };
}

/** Ports of the pool in use (every instance keeps one), and the pool's size. */
export function poolState(
  dtos: readonly InstanceDto[],
  range: { start: number; end: number },
): { used: number; size: number; full: boolean } {
  const size = range.end - range.start + 1;
  const used = new Set(
    dtos.map((d) => d.port).filter((p): p is number =>
      p !== null && p >= range.start && p <= range.end
    ),
  ).size;
  return { used, size, full: used >= size };
}

const COMPACT_KEY = "aikore.table.compact";

/** The table's view state (search and sort live for the page; compact is remembered). */
export class TableView {
  readonly query = signal("");
  readonly sort = signal<SortKey>("order");
  readonly compact = signal(false);
  readonly selected = signal<ReadonlySet<number>>(new Set());

  restore(): void {
    this.compact.value = loadJson(COMPACT_KEY, false, (v) => typeof v === "boolean");
  }

  setCompact(on: boolean): void {
    this.compact.value = on;
    saveJson(COMPACT_KEY, on);
  }

  toggle(id: number, on: boolean): void {
    const next = new Set(this.selected.value);
    if (on) next.add(id);
    else next.delete(id);
    this.selected.value = next;
  }

  /** Keeps only ids that still exist. */
  prune(existing: ReadonlySet<number>): void {
    const kept = [...this.selected.value].filter((id) => existing.has(id));
    if (kept.length !== this.selected.value.size) this.selected.value = new Set(kept);
  }
}
