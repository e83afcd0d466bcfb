import type { BlueprintList, BlueprintOption } from "../core/types.ts";

type Group = { label: string; items: BlueprintOption[] };
// Every row shows the same list: group it once per list.
const grouped = new WeakMap<BlueprintList, Group[]>();

function groupsOf(list: BlueprintList): Group[] {
  const cached = grouped.get(list);
  if (cached) return cached;
  const groups: Group[] = [];
  for (const [source, items] of [["Stock", list.stock], ["Custom", list.custom]] as const) {
    const byCategory = new Map<string, BlueprintOption[]>();
    for (const item of items) {
      byCategory.set(item.category, [...(byCategory.get(item.category) ?? []), item]);
    }
    for (const [category, entries] of [...byCategory].sort((a, b) => a[0].localeCompare(b[0]))) {
      groups.push({
        label: `${source} · ${category}`,
        items: entries.sort((a, b) => a.name.localeCompare(b.name)),
      });
    }
  }
  grouped.set(list, groups);
  return groups;
}

const MAX_REASON = 70;

/** The option's text; a broken blueprint says why in the list itself, not only in a tooltip. */
function optionText(item: BlueprintOption): string {
  const name = item.source === "custom" && item.name !== item.filename
    ? `${item.name} · ${item.filename}`
    : item.name;
  if (!item.error) return name;
  const reason = item.error.length > MAX_REASON
    ? `${item.error.slice(0, MAX_REASON)}…`
    : item.error;
  return `${name} (broken: ${reason})`;
}

/** Props of {@link BlueprintSelect}. */
export interface BlueprintSelectProps {
  list: BlueprintList;
  value: string;
  onChange: (file: string) => void;
  disabled?: boolean | undefined;
  title?: string | undefined;
  class?: string | undefined;
  label: string;
  /** Adds an empty "Choose…" option (new rows). */
  placeholder?: boolean;
}

/** Blueprint picker grouped Stock/Custom by category (optgroups). */
export function BlueprintSelect(props: BlueprintSelectProps) {
  const groups = groupsOf(props.list);
  const selected = groups.flatMap((g) => g.items).find((i) => i.filename === props.value);
  return (
    <select
      class={props.class}
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      title={props.title ??
        (selected ? `${selected.filename}: ${selected.description}` : undefined)}
      onChange={(event) => props.onChange(event.currentTarget.value)}
    >
      {props.placeholder && <option value="">Choose a blueprint…</option>}
      {!selected && props.value && <option value={props.value}>{props.value} (missing)</option>}
      {groups.map((group) => (
        <optgroup label={group.label} key={group.label}>
          {group.items.map((item) => (
            <option
              value={item.filename}
              key={item.filename}
              disabled={item.error !== null}
              title={item.error
                ? `Cannot be used: ${item.error}. Fix the file's metadata block.`
                : item.description}
              data-broken={item.error ? "" : undefined}
            >
              {optionText(item)}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}
