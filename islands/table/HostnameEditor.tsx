/** Props of {@link HostnameEditor}. */
export interface HostnameEditorProps {
  enabled: boolean;
  hostname: string;
  onEnabled: (on: boolean) => void;
  onHostname: (value: string) => void;
  dirtyEnabled?: boolean;
  dirtyHostname?: boolean;
  name: string;
  /** What to fix in the typed host name (shown while typing). */
  problem?: string | undefined;
}

/** The custom address: a switch and the host name it publishes under. */
export function HostnameEditor(props: HostnameEditorProps) {
  return (
    <div class="hostname-editor">
      <label
        class={`switch${props.dirtyEnabled ? " field-dirty" : ""}`}
        title="Use a custom address"
      >
        <input
          type="checkbox"
          role="switch"
          aria-label={`Custom address of ${props.name} on`}
          checked={props.enabled}
          onChange={(event) => props.onEnabled(event.currentTarget.checked)}
        />
        <span class="switch-track" aria-hidden="true" />
      </label>
      <input
        class={props.dirtyHostname ? "field-dirty" : undefined}
        aria-label={`Custom address of ${props.name}`}
        placeholder="e.g. comfy.lan"
        value={props.hostname}
        disabled={!props.enabled}
        aria-invalid={props.problem ? "true" : undefined}
        title={props.problem}
        spellcheck={false}
        onInput={(event) => props.onHostname(event.currentTarget.value)}
      />
    </div>
  );
}
