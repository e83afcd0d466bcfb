/** Which of a failed run's last lines most likely says why: the one rule for the page and notices. */

const ERROR_LINE = /error|fail|fatal|exception|traceback|cannot|could not|denied|not found|killed/i;

/** The most telling of the last lines: the last one that reads like an error, else the last. */
export function failureLine(lines: readonly string[] | null | undefined): string | null {
  if (!lines || lines.length === 0) return null;
  return [...lines].reverse().find((line) => ERROR_LINE.test(line)) ?? lines.at(-1) ?? null;
}
