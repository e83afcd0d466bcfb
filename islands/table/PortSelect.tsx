import { useDashboard } from "../core/dashboard_context.ts";

const MOST_OPTIONS = 200;

/** Props of {@link PortSelect}. */
export interface PortSelectProps {
  value: number | null;
  /** The row's own instance id (its port counts as free for it). */
  ownId: number | null;
  onChange: (port: number | null) => void;
  auto?: boolean;
  class?: string | undefined;
  label: string;
}

/** Pool ports not held by another instance (the server re-checks and explains refusals). */
export function PortSelect(props: PortSelectProps) {
  const { store } = useDashboard();
  const held = new Set<number>();
  for (const pair of store.portHolders.value.split(",")) {
    const [id, port] = pair.split(":");
    if (port && Number(id) !== props.ownId) held.add(Number(port));
  }
  const { start, end } = store.system.port_range;
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
