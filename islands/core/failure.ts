/** Words for a failed run: the line that most likely says why, and the toast text. */
import { failureLine } from "../../lib/shared/failure_line.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";

/** "exited (3)" / "error" as the badge says it. */
export function outcomeOf(dto: InstanceDto): string {
  if (dto.status === "exited" && dto.exit_signal !== null) {
    return `exited (signal ${dto.exit_signal})`;
  }
  return dto.status === "exited" && dto.exit_code !== null
    ? `exited (${dto.exit_code})`
    : dto.status;
}

/** The toast for a run that just failed. */
export function failureToast(dto: InstanceDto): string {
  const why = failureLine(dto.last_output) ?? dto.status_message;
  return `"${dto.name}" ${outcomeOf(dto)}${why ? `: ${why}` : ""}`;
}
