import { useEffect, useState } from "preact/hooks";
import { type Api, errorText } from "./api_client.ts";

/** How long one request waits on the server for a change. */
const WAIT_S = 25;
/** The least time between two requests of one reader. */
const MIN_INTERVAL_MS = 1000;

/**
 * Reads `url` (a listing with a `version`), then keeps it current without polling: each next
 * request (`since=VERSION&wait=25`) waits on the server until the listing differs. At most one
 * request a second, so a listing that keeps changing (a file being written), or a server with
 * no watch to spare (it answers at once), is not asked in a tight loop. Starts over when `url`
 * or `again` changes; stops when the component goes.
 */
export function useWaitingRead<T extends { version: string }>(
  api: Api,
  url: string,
  again: unknown = null,
): { value: T | null; failure: string | null } {
  const [value, setValue] = useState<T | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    const done = new AbortController();
    const joiner = url.includes("?") ? "&" : "?";
    setFailure(null);
    (async () => {
      let version: string | null = null;
      while (!done.signal.aborted) {
        const asked = performance.now();
        const next: string = version === null
          ? url
          : `${url}${joiner}since=${encodeURIComponent(version)}&wait=${WAIT_S}`;
        const body: T = await api.get<T>(next, done.signal);
        if (done.signal.aborted) return;
        if (body.version !== version) setValue(body);
        version = body.version;
        const early = MIN_INTERVAL_MS - (performance.now() - asked);
        if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
      }
    })().catch((error) => {
      if (!done.signal.aborted) setFailure(errorText(error));
    });
    return () => done.abort();
  }, [url, again]);
  return { value, failure };
}
