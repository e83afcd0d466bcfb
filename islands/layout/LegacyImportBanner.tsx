import { useEffect, useState } from "preact/hooks";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";

interface Offer {
  available: boolean;
  path: string | null;
  preview:
    | { imported: unknown[]; invalid: Array<{ proposedSlug?: string }>; warnings: string[] }
    | null;
}

/** Offers to import a Python-AiKore database found at first start (dry-run counts shown). */
export function LegacyImportBanner() {
  const d = useDashboard();
  const [offer, setOffer] = useState<Offer | null>(null);
  const [accept, setAccept] = useState(true);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    d.api.get<Offer>("/api/system/legacy-import").then(setOffer).catch(() => setOffer(null));
  }, []);
  if (!offer?.available || !offer.preview) return null;
  const { preview } = offer;
  const renamed = preview.invalid.filter((p) => p.proposedSlug).length;
  const run = async () => {
    setBusy(true);
    try {
      const report = await d.api.post<{ imported: unknown[]; invalid: unknown[] }>(
        "/api/system/legacy-import",
        { accept_proposed_slugs: accept },
      );
      d.ui.toast("success", `Imported ${report.imported.length} instance(s) from the old AiKore.`);
      setOffer(null);
      // The import writes the database directly (no instance events): load the new rows once.
      const [instances, order] = await Promise.all([
        d.api.get<InstanceDto[]>("/api/instances"),
        d.api.get<{ order: number[] }>("/api/display-order"),
      ]);
      d.store.applySnapshot(instances, order.order);
    } catch (error) {
      d.ui.toast("error", `Import failed: ${errorText(error)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="banner banner-info" role="region" aria-label="Import from the Python AiKore">
      <span>
        A Python-AiKore database was found ({offer.path}): {preview.imported.length}{" "}
        instance(s) can be imported, {preview.invalid.length} with problems,{" "}
        {preview.warnings.length} warning(s).
      </span>
      {renamed > 0 && (
        <label class="toggle">
          <input
            type="checkbox"
            checked={accept}
            onChange={(e) => setAccept(e.currentTarget.checked)}
          />
          Accept {renamed} proposed slug(s)
        </label>
      )}
      <button
        type="button"
        class="btn btn-sm btn-primary"
        disabled={busy}
        onClick={() => void run()}
      >
        Import
      </button>
    </div>
  );
}
