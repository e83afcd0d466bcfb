/** Words for a failed run: the line that most likely says why, and the toast text. */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";

const ERROR_LINE = /error|fail|fatal|exception|traceback|cannot|could not|denied|not found|killed/i;

/** The most telling of the last lines: the last one that reads like an error, else the last. */
export function failureLine(lines: readonly string[] | null | undefined): string | null {
  if (!lines || lines.length === 0) return null;
  return [...lines].reverse().find((line) => ERROR_LINE.test(line)) ?? lines.at(-1) ?? null;
}

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
