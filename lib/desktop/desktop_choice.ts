/** Values of `AIKORE_DESKTOP`: which virtual-desktop backend persistent mode uses. */
export const DESKTOP_CHOICES = ["auto", "kasmvnc", "tigervnc", "off"] as const;
export type DesktopChoice = typeof DESKTOP_CHOICES[number];

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
