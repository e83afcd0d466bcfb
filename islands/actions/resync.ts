/** What the page does after the event stream came back: reload terminals, say what changed. */
import { errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import type { Resync } from "../core/event_stream.ts";
import type { BlueprintList } from "../core/types.ts";
import { resyncTerminals } from "./terminal_actions.ts";

const MAX_LISTED = 4;

/** The notice of a resync, or null when nothing worth saying changed. */
export function resyncNotice(resync: Resync, endedTerminals: number): string | null {
  const parts: string[] = [];
  if (resync.changes.length) {
    const listed = resync.changes.slice(0, MAX_LISTED).join("; ");
    const more = resync.changes.length - MAX_LISTED;
    parts.push(more > 0 ? `${listed}; and ${more} more` : listed);
  }
  if (endedTerminals) {
    parts.push(`${endedTerminals} terminal${endedTerminals === 1 ? "" : "s"} ended`);
  }
  if (!resync.restarted && parts.length === 0) return null;
  const head = resync.restarted ? "AiKore restarted; the page is up to date again" : "Back in sync";
  return parts.length ? `${head}: ${parts.join("; ")}.` : `${head}.`;
}

/** Runs after every snapshot that follows a broken stream. */
export async function afterResync(d: Dashboard, resync: Resync): Promise<void> {
  const reason = resync.restarted
    ? "AiKore restarted; open a new one"
    : "it no longer exists on the server; open a new one";
  // Custom blueprints may have been added or fixed meanwhile.
  d.api.get<BlueprintList>("/api/system/blueprints")
    .then((list) => (d.store.blueprints.value = list))
    .catch((error) => d.ui.toast("error", `Cannot reload the blueprints: ${errorText(error)}`));
  const ended = await resyncTerminals(d, reason).catch((error) => {
    d.ui.toast("error", `Cannot check the open terminals: ${errorText(error)}`);
    return 0;
  });
  const notice = resyncNotice(resync, ended);
  if (notice) d.ui.toast("info", notice);
}
