import { useEffect, useState } from "preact/hooks";
import { useDashboard } from "../core/dashboard_context.ts";

/** How long the stream may be down before the banner shows (a reload blip stays quiet). */
const GRACE_MS = 1500;

/**
 * While AiKore cannot be reached: a banner that says the figures are stale, and the class
 * `stale` on the page root, which greys every live figure (statuses, meters).
 */
export function ConnectionBanner() {
  const { store } = useDashboard();
  const connection = store.connection.value;
  const down = connection === "reconnecting" || connection === "offline";
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!down) {
      setShown(false);
      return;
    }
    const timer = setTimeout(() => setShown(true), GRACE_MS);
    return () => clearTimeout(timer);
  }, [down]);
  useEffect(() => {
    document.body.classList.toggle("stale", shown);
  }, [shown]);
  if (!shown) return null;
  return (
    <div class="banner banner-offline" role="alert" data-offline-banner>
      <strong>AiKore cannot be reached.</strong>{" "}
      Statuses and figures below may be out of date; actions will fail until it answers again.
      Retrying by itself, and the page updates when it is back.
    </div>
  );
}
