/** xterm.js options matching the dashboard's dark theme. */
import type { ITerminalOptions } from "@xterm/xterm";

export const XTERM_OPTIONS: ITerminalOptions = {
  fontFamily: "ui-monospace, 'DejaVu Sans Mono', 'Cascadia Mono', Menlo, Consolas, monospace",
  fontSize: 13,
  lineHeight: 1.1,
  scrollback: 10_000,
  cursorBlink: true,
  allowProposedApi: true,
  theme: {
    background: "#0b0f14",
    foreground: "#e6edf3",
    cursor: "#58a6ff",
    selectionBackground: "#264f78",
    black: "#484f58",
    red: "#ff7b72",
    green: "#3fb950",
    yellow: "#d29922",
    blue: "#58a6ff",
    magenta: "#bc8cff",
    cyan: "#39c5cf",
    white: "#b1bac4",
    brightBlack: "#6e7681",
    brightRed: "#ffa198",
    brightGreen: "#56d364",
    brightYellow: "#e3b341",
    brightBlue: "#79c0ff",
    brightMagenta: "#d2a8ff",
    brightCyan: "#56d4dd",
    brightWhite: "#f0f6fc",
  },
};
