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
 * Find in the terminal's scrollback (Enter: next, Shift+Enter: previous), with a match count and
 * two switches: match case, regular expression.
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
  const find = (backwards: boolean) => {
    const search = props.session.current?.search;
    if (!search || !query || problem) return;
    if (watched.current?.search !== search) {
      watched.current?.dispose();
      const subscription = search.onDidChangeResults(({ resultIndex, resultCount }) =>
        setCount({ index: resultIndex, total: resultCount })
      );
      watched.current = { search, dispose: () => subscription.dispose() };
    }
    const options = { decorations: DECORATIONS, caseSensitive, regex };
    const found = backwards ? search.findPrevious(query, options) : search.findNext(query, options);
    setMissed(!found);
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
      <button
        type="button"
        class="btn btn-sm search-option"
        aria-label="Match case"
        title="Match case"
        aria-pressed={caseSensitive}
        data-search-option="case"
        onClick={() => {
          setCaseSensitive(!caseSensitive);
          setMissed(false);
          setCount(null);
        }}
      >
        Aa
      </button>
      <button
        type="button"
        class="btn btn-sm search-option"
        aria-label="Regular expression"
        title="Regular expression"
        aria-pressed={regex}
        data-search-option="regex"
        onClick={() => {
          setRegex(!regex);
          setMissed(false);
          setCount(null);
        }}
      >
        .*
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
