import type { RefObject } from "preact";
import { useState } from "preact/hooks";
import type { XtermSession } from "../term/xterm_session.ts";

/** Find in the terminal's scrollback (Enter: next, Shift+Enter: previous). */
export function TerminalSearch(props: { session: RefObject<XtermSession | null> }) {
  const [query, setQuery] = useState("");
  const [missed, setMissed] = useState(false);
  const find = (backwards: boolean) => {
    const search = props.session.current?.search;
    if (!search || !query) return;
    const found = backwards ? search.findPrevious(query) : search.findNext(query);
    setMissed(!found);
  };
  return (
    <div class="term-search" role="search">
      <input
        type="search"
        aria-label="Find in output"
        placeholder="Find…"
        value={query}
        aria-invalid={missed ? "true" : undefined}
        onInput={(event) => {
          setQuery(event.currentTarget.value);
          setMissed(false);
        }}
        onKeyDown={(event) => {
          if (event.key !== "Enter") return;
          event.preventDefault();
          find(event.shiftKey);
        }}
      />
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
