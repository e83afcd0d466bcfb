/** Values of `AIKORE_DESKTOP`: which virtual-desktop backend persistent mode uses. */
export const DESKTOP_CHOICES = ["auto", "kasmvnc", "tigervnc", "off"] as const;
/** One value of `AIKORE_DESKTOP`. */
export type DesktopChoice = typeof DESKTOP_CHOICES[number];
