import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { XtermSession } from "../term/xterm_session.ts";

/** Match highlighting; with it the addon reports "match n of m". */
const DECORATIONS = {
  matchBackground: "#3b2f00",
  matchOverviewRuler: "#d29922",
  activeMatchBackground: "#735c0f",
  activeMatchColorOverviewRuler: "#f0b72f",
};

/** What "First error" looks for (any case). */
export const ERROR_PATTERN = "error|exception|traceback|fatal|failed|out of memory|killed";

/** A regular expression that is not one: the reason, for the search box's tooltip. */
function regexProblem(query: string): string | null {
  try {
    new RegExp(query);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Find in the terminal's scrollback (Enter: next, Shift+Enter: previous), with a match count, two
 * switches (match case, regular expression) and a jump to the first error-looking line.
 */
export function TerminalSearch(props: { session: RefObject<XtermSession | null> }) {
  const [query, setQuery] = useState("");
  const [missed, setMissed] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [regex, setRegex] = useState(false);
  const problem = regex && query ? regexProblem(query) : null;
  const [count, setCount] = useState<{ index: number; total: number } | null>(null);
  // Subscribed on the first search: the session is created after this component.
  const watched = useRef<{ search: unknown; dispose: () => void } | null>(null);
  useEffect(() => () => watched.current?.dispose(), []);
  const search = (
    text: string,
    how: { backwards: boolean; caseSensitive: boolean; regex: boolean },
  ) => {
    const session = props.session.current;
    if (!session || !text) return;
    const addon = session.search;
    if (watched.current?.search !== addon) {
      watched.current?.dispose();
      const subscription = addon.onDidChangeResults(({ resultIndex, resultCount }) =>
        setCount({ index: resultIndex, total: resultCount })
      );
      watched.current = { search: addon, dispose: () => subscription.dispose() };
    }
    const options = {
      decorations: DECORATIONS,
      caseSensitive: how.caseSensitive,
      regex: how.regex,
    };
    const found = how.backwards ? addon.findPrevious(text, options) : addon.findNext(text, options);
    setMissed(!found);
  };
  const find = (backwards: boolean) => {
    if (!problem) search(query, { backwards, caseSensitive, regex });
  };
  /** A switch changed: the last result no longer stands. */
  const toggled = (set: (on: boolean) => void, on: boolean) => {
    set(on);
    setMissed(false);
    setCount(null);
  };
  /** The first line of the output that looks like an error, from the top of the scrollback. */
  const firstError = () => {
    setQuery(ERROR_PATTERN);
    setRegex(true);
    setCaseSensitive(false);
    props.session.current?.term.clearSelection();
    search(ERROR_PATTERN, { backwards: false, caseSensitive: false, regex: true });
  };
  return (
    <div class="term-search" role="search">
      <input
        type="search"
        aria-label="Find in output"
        placeholder="Find…"
        value={query}
        aria-invalid={missed || problem ? "true" : undefined}
        title={problem ?? undefined}
        onInput={(event) => {
          setQuery(event.currentTarget.value);
          setMissed(false);
          setCount(null);
        }}
        onKeyDown={(event) => {
          if (event.key !== "Enter") return;
          event.preventDefault();
          find(event.shiftKey);
        }}
      />
      <span class="muted search-count" role="status" data-search-count>
        {count && query
          ? count.total === 0
            ? "no match"
            : count.index < 0
            ? `${count.total}+ matches`
            : `${count.index + 1} of ${count.total}`
          : ""}
      </span>
      <SearchOption
        name="case"
        label="Match case"
        symbol="Aa"
        on={caseSensitive}
        toggle={() => toggled(setCaseSensitive, !caseSensitive)}
      />
      <SearchOption
        name="regex"
        label="Regular expression"
        symbol=".*"
        on={regex}
        toggle={() => toggled(setRegex, !regex)}
      />
      <button
        type="button"
        class="btn btn-sm"
        data-action="first-error"
        title={`Find the first line matching ${ERROR_PATTERN} (any case)`}
        onClick={firstError}
      >
        First error
      </button>
      <button
        type="button"
        class="btn btn-sm"
        aria-label="Previous match"
        onClick={() => find(true)}
      >
        ↑
      </button>
      <button type="button" class="btn btn-sm" aria-label="Next match" onClick={() => find(false)}>
        ↓
      </button>
    </div>
  );
}

/** A search switch shown as a pressed or unpressed button. */
function SearchOption(
  props: { name: string; label: string; symbol: string; on: boolean; toggle: () => void },
) {
  return (
    <button
      type="button"
      class="btn btn-sm search-option"
      aria-label={props.label}
      title={props.label}
      aria-pressed={props.on}
      data-search-option={props.name}
      onClick={props.toggle}
    >
      {props.symbol}
    </button>
  );
}
