/** Table groups: a root instance followed by its satellites; groups follow the stored order. */

/** What grouping needs to know about an instance. */
export interface Groupable {
  id: number;
  parent_instance_id: number | null;
}

/** A root id and its satellites' ids (by id). */
export interface Group {
  rootId: number;
  satelliteIds: number[];
}

/**
 * Groups instances: roots in `order` (unknown ids last, by id), each followed by its
 * satellites by id. A satellite whose parent is gone is shown as a root.
 */
export function groupInstances(items: readonly Groupable[], order: readonly number[]): Group[] {
  const ids = new Set(items.map((i) => i.id));
  const position = new Map(order.map((id, index) => [id, index]));
  const rank = (id: number) => position.get(id) ?? Number.MAX_SAFE_INTEGER;
  const roots = items.filter((i) => i.parent_instance_id === null || !ids.has(i.parent_instance_id))
    .map((i) => i.id)
    .sort((a, b) => rank(a) - rank(b) || a - b);
  const children = new Map<number, number[]>();
  for (const item of items) {
    const parent = item.parent_instance_id;
    if (parent === null || !ids.has(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), item.id]);
  }
  return roots.map((rootId) => ({
    rootId,
    satelliteIds: (children.get(rootId) ?? []).sort((a, b) => a - b),
  }));
}

/** Moves the group of `moved` before or after the group of `target`; returns root ids. */
export function moveGroup(
  rootIds: readonly number[],
  moved: number,
  target: number,
  where: "before" | "after",
): number[] {
  if (moved === target || !rootIds.includes(moved) || !rootIds.includes(target)) {
    return [...rootIds];
  }
  const rest = rootIds.filter((id) => id !== moved);
  const index = rest.indexOf(target) + (where === "after" ? 1 : 0);
  return [...rest.slice(0, index), moved, ...rest.slice(index)];
}

/** Moves a group one step up (-1) or down (+1); returns root ids. */
export function shiftGroup(rootIds: readonly number[], moved: number, step: -1 | 1): number[] {
  const index = rootIds.indexOf(moved);
  const target = rootIds[index + step];
  if (index < 0 || target === undefined) return [...rootIds];
  return moveGroup(rootIds, moved, target, step < 0 ? "before" : "after");
}

/** The full display order to store: each root followed by its satellites. */
export function displayOrderOf(rootIds: readonly number[], groups: readonly Group[]): number[] {
  const byRoot = new Map(groups.map((g) => [g.rootId, g.satelliteIds]));
  return rootIds.flatMap((id) => [id, ...(byRoot.get(id) ?? [])]);
}
