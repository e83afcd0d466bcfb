/** Free ports offered per row: enough to choose from, small enough for 100 rows of HTML. */
const MOST_OPTIONS = 12;

/** Props of {@link PortSelect}. */
export interface PortSelectProps {
  value: number | null;
  /** The row's own instance id (its port counts as free for it). */
  ownId: number | null;
  onChange: (port: number | null) => void;
  auto?: boolean;
  /** `store.portHolders.value`: "id:port" pairs of every instance. */
  holders: string;
  range: { start: number; end: number };
  class?: string | undefined;
  label: string;
}

let parsed: { text: string; pairs: Array<[number, number]> } = { text: "", pairs: [] };

/** Parses "id:port,…" once per distinct value (every row asks for the same one). */
function holdersOf(text: string): Array<[number, number]> {
  if (parsed.text !== text) {
    const pairs: Array<[number, number]> = [];
    for (const pair of text.split(",")) {
      const [id, port] = pair.split(":");
      if (port) pairs.push([Number(id), Number(port)]);
    }
    parsed = { text, pairs };
  }
  return parsed.pairs;
}

/**
 * The row's port and the first free pool ports (not held by another instance); the server
 * re-checks and explains refusals. Hook-free: rows call it as a function (one component less
 * per row keeps server rendering of large tables fast).
 */
export function PortSelect(props: PortSelectProps) {
  const held = new Set<number>();
  for (const [id, port] of holdersOf(props.holders)) {
    if (id !== props.ownId) held.add(port);
  }
  const { start, end } = props.range;
  const ports: number[] = [];
  for (let port = start; port <= end && ports.length < MOST_OPTIONS; port++) {
    if (!held.has(port) || port === props.value) ports.push(port);
  }
  if (props.value !== null && !ports.includes(props.value)) ports.unshift(props.value);
  return (
    <select
      class={props.class}
      aria-label={props.label}
      value={props.value === null ? "" : String(props.value)}
      onChange={(event) => {
        const text = event.currentTarget.value;
        props.onChange(text === "" ? null : Number(text));
      }}
    >
      {(props.auto || props.value === null) && <option value="">Auto</option>}
      {ports.map((port) => <option value={String(port)} key={port}>{port}</option>)}
    </select>
  );
}
