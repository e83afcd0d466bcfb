/**
 * CodeMirror 6 with shell highlighting in the dashboard's dark palette. Loaded lazily (its
 * chunk holds CodeMirror) when the script editor opens.
 */
import { basicSetup, EditorView } from "codemirror";
import {
  defaultHighlightStyle,
  HighlightStyle,
  StreamLanguage,
  syntaxHighlighting,
} from "@codemirror/language";
import { shell } from "@codemirror/legacy-modes/mode/shell";

// CodeMirror's default highlight colours are for light backgrounds; keep its tag choices
// and swap each colour for a dark-theme one.
const DARK: Record<string, string> = {
  "#404740": "#8b949e",
  "#708": "#ff7b72",
  "#219": "#79c0ff",
  "#164": "#79c0ff",
  "#a11": "#a5d6ff",
  "#e40": "#ffa657",
  "#00f": "#d2a8ff",
  "#30a": "#ffa657",
  "#085": "#7ee787",
  "#167": "#7ee787",
  "#256": "#ffa198",
  "#00c": "#d2a8ff",
  "#940": "#8b949e",
  "#f00": "#f85149",
};

const darkHighlight = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) =>
    typeof spec.color === "string" && DARK[spec.color] ? { ...spec, color: DARK[spec.color] } : spec
  ),
);

const theme = EditorView.theme({
  "&": { height: "100%", backgroundColor: "#0b0f14", color: "#e6edf3", fontSize: "13px" },
  ".cm-scroller": { fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace" },
  ".cm-content": { caretColor: "#58a6ff" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "#58a6ff" },
  ".cm-gutters": { backgroundColor: "#0d1117", color: "#6e7681", borderRight: "1px solid #30363d" },
  ".cm-activeLine": { backgroundColor: "#161b2280" },
  ".cm-activeLineGutter": { backgroundColor: "#161b22" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "#264f78",
  },
  ".cm-panels": { backgroundColor: "#161b22", color: "#e6edf3" },
}, { dark: true });

/** A shell-script editor. */
export interface ShellEditor {
  text(): string;
  setText(text: string): void;
  focus(): void;
  destroy(): void;
}

/** Creates the editor in `parent`; `onChange` runs after every edit. */
export function createShellEditor(
  parent: HTMLElement,
  text: string,
  options: { readOnly: boolean; onChange: () => void },
): ShellEditor {
  const view = new EditorView({
    doc: text,
    parent,
    extensions: [
      basicSetup,
      StreamLanguage.define(shell),
      syntaxHighlighting(darkHighlight),
      theme,
      EditorView.editable.of(!options.readOnly),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onChange();
      }),
      EditorView.contentAttributes.of({ "aria-label": "Launch script" }),
    ],
  });
  return {
    text: () => view.state.doc.toString(),
    setText(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
