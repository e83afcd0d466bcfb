import type { SystemInfo } from "../core/types.ts";

/** Props of the Desktop (persistent mode) cell. */
export interface DesktopToggleProps {
  label: string;
  checked: boolean;
  desktop: SystemInfo["desktop"] | undefined;
  className?: string | undefined;
  onChange(checked: boolean): void;
}

/**
 * The Desktop mode checkbox, shown only where the server has a desktop backend (or the row
 * already has the mode on, so it can be turned off); otherwise a dash that says why.
 */
export function DesktopToggle(props: DesktopToggleProps) {
  const available = props.desktop?.available ?? true;
  const reason = props.desktop?.reason ?? "no desktop backend on this server";
  if (!available && !props.checked) {
    return (
      <span class="desktop-unavailable" title={reason} aria-label={`${props.label}: ${reason}`}>
        —
      </span>
    );
  }
  return (
    <input
      type="checkbox"
      class={props.className}
      aria-label={props.label}
      title={available ? undefined : reason}
      checked={props.checked}
      onChange={(event) => props.onChange(event.currentTarget.checked)}
    />
  );
}
