import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { formatBytes, formatPercent } from "../../lib/shared/stats.ts";
import { idleStopLabel, isIdleStopped } from "../../lib/shared/idle_stop.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { failureLine } from "../../lib/shared/failure_line.ts";
import { statusTone } from "../core/status.ts";

function Usage(props: { id: number }) {
  const { store } = useDashboard();
  const usage = store.stats.value?.instances[String(props.id)];
  if (!usage) return null;
  const vram = usage.vram_bytes === null ? null : formatBytes(usage.vram_bytes, 1);
  return (
    <small class="usage muted" data-usage>
      CPU {formatPercent(usage.cpu_percent, 0)} · RAM {formatBytes(usage.rss_bytes, 1)}
      {vram !== null && ` · VRAM ${vram}`}
    </small>
  );
}

/** Why a run failed, in the row: the telling line, expanding to the last lines of its log. */
function LastOutput(props: { dto: InstanceDto }) {
  const lines = props.dto.last_output;
  const line = failureLine(lines);
  if (!line || !lines) return null;
  return (
    <details class="last-output" data-last-output>
      <summary title={line}>{line}</summary>
      <pre>{lines.join("\n")}</pre>
    </details>
  );
}

/**
 * A failed run whose environment changed since the last run that worked: the likeliest cause,
 * in the row, expanding (like the failure line above it) to every change.
 */
function EnvironmentChanged(props: { changes: string[] | null | undefined }) {
  const changes = props.changes;
  if (!changes?.length) return null;
  return (
    <details class="env-changed" data-env-changed>
      <summary title={`Changed since it last worked:\n${changes.join("\n")}`}>
        changed since it last worked
      </summary>
      <ul>{changes.map((change) => <li key={change}>{change}</li>)}</ul>
    </details>
  );
}

/** The idle-stop policy under the badge ("idle stop: 30 min"), when one is set. */
function IdlePolicy(props: { minutes: number | null | undefined }) {
  const label = idleStopLabel(props.minutes);
  if (!label) return null;
  return (
    <small
      class="muted"
      data-idle-policy={props.minutes ?? undefined}
      title="Stopped after this long with no request and no open connection; a request starts it again"
    >
      {label}
    </small>
  );
}

/**
 * What a run that is not healthy yet is doing, in the row: the step its blueprint names
 * ("Installing PyTorch", from `aikore_step`) while it starts, why it stalled once it did.
 */
function Step(props: { dto: InstanceDto }) {
  const { status, status_message: message } = props.dto;
  if (!message || (status !== "starting" && status !== "stalled")) return null;
  return <small class="muted run-step" data-step title={message}>{message}</small>;
}

/** The live status badge (message as tooltip) and the instance's CPU/RAM/VRAM. */
export function StatusCell(props: { dto: InstanceDto }) {
  const { dto } = props;
  const idle = isIdleStopped({ status: dto.status, statusMessage: dto.status_message });
  const detail = dto.status === "exited" && dto.exit_code !== null
    ? ` (${dto.exit_code})`
    : idle
    ? " (idle)"
    : "";
  return (
    <div class="status-cell">
      <span
        class={`badge badge-${statusTone(dto.status)}`}
        title={dto.status_message ?? undefined}
        data-status={dto.status}
        data-idle-stopped={idle ? "" : undefined}
      >
        {dto.status}
        {detail}
      </span>
      <Step dto={dto} />
      <IdlePolicy minutes={dto.idle_stop_minutes} />
      <Usage id={dto.id} />
      <LastOutput dto={dto} />
      <EnvironmentChanged changes={dto.environment_changes} />
    </div>
  );
}
