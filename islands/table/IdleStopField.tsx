/** The idle-stop policy of a row: minutes typed into a labelled input, empty = off (hook-free). */

/** Props of {@link IdleStopField}. */
export interface IdleStopFieldProps {
  /** The instance's name ("the new instance" for the create row). */
  name: string;
  /** The typed minutes ("" = off). */
  value: string;
  onInput: (text: string) => void;
  dirty?: boolean;
  /** What to fix in the typed value (the server's rule), shown as the input's title. */
  problem?: string | undefined;
  /** Why it cannot be changed here (a satellite inherits it), or null. */
  locked?: string | null;
}

const HELP = "Stop the instance after this many minutes with no request and no open " +
  "connection; a request starts it again. Empty or 0: off.";

/** "idle [ 30 ] min": a text input (not type=number, whose invalid text reads as empty = off). */
export function IdleStopField(props: IdleStopFieldProps) {
  return (
    <label class="idle-stop-field" title={props.locked ?? props.problem ?? HELP}>
      <span class="muted" aria-hidden="true">idle</span>
      <input
        class={`mono${props.dirty ? " field-dirty" : ""}`}
        aria-label={`Idle stop of ${props.name}, in minutes (empty: off)`}
        data-field="idle_stop_minutes"
        inputMode="numeric"
        placeholder="off"
        value={props.value}
        disabled={!!props.locked}
        aria-invalid={props.problem ? "true" : undefined}
        spellcheck={false}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      <span class="muted" aria-hidden="true">min</span>
    </label>
  );
}
