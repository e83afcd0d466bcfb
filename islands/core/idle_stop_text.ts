/**
 * The idle-stop policy as the dashboard edits it: typed text ("" = off), checked with the
 * server's own rules (lib/shared/idle_stop.ts) and turned into the API value.
 */
import { idleStopProblem, normalizeIdleStop } from "../../lib/shared/idle_stop.ts";

const NUMERIC = /^[-+]?\d+(\.\d+)?$/;

/** The text an input shows for a stored policy ("" when off). */
export function idleStopText(minutes: number | null | undefined): string {
  return minutes ? String(minutes) : "";
}

/**
 * The API value of typed text: "" → null (off); a valid number (0 is off → null); any other
 * number as typed; text that is no number stays text. Invalid values are sent as they are so
 * that the server refuses them (422) rather than reading them as "off".
 */
export function idleStopValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (!NUMERIC.test(trimmed)) return trimmed;
  const minutes = Number(trimmed);
  return idleStopProblem(minutes) === null ? normalizeIdleStop(minutes) : minutes;
}

/** What is wrong with typed text, in the server's words, or null. */
export function idleStopTextProblem(text: string): string | null {
  return idleStopProblem(idleStopValue(text));
}

/** Whether two typed texts mean the same policy ("", "0" and "00" are all off). */
export function sameIdleStop(a: string, b: string): boolean {
  return idleStopValue(a) === idleStopValue(b);
}

/** Typed text as the change list shows it: "off", "30 min", or the text itself. */
export function describeIdleStop(text: string): string {
  const value = idleStopValue(text);
  if (value === null) return "off";
  return typeof value === "number" && idleStopProblem(value) === null
    ? `${value} min`
    : String(value);
}
