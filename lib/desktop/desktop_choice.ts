import { DESKTOP_CHOICES, type DesktopChoice } from "../shared/desktop_choice.ts";

export { DESKTOP_CHOICES };
export type { DesktopChoice };

/** A backend that can actually run a desktop. */
export type DesktopBackendKind = "kasmvnc" | "tigervnc";

/** Parses an `AIKORE_DESKTOP` value (unset → `auto`); throws a RangeError naming the variable. */
export function parseDesktopChoice(text: string | undefined): DesktopChoice {
  const value = (text ?? "").trim().toLowerCase() || "auto";
  const found = DESKTOP_CHOICES.find((choice) => choice === value);
  if (!found) {
    throw new RangeError(
      `AIKORE_DESKTOP: "${text}" is not one of ${DESKTOP_CHOICES.join(", ")}`,
    );
  }
  return found;
}
