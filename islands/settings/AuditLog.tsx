import { useEffect, useState } from "preact/hooks";
import { type Api, errorText } from "../core/api_client.ts";

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  client: string | null;
  detail: Record<string, unknown> | null;
}

const PAGE = 100;

/** `key=value` pairs, without the browser's user agent (long and rarely useful here). */
function detailText(detail: Record<string, unknown> | null): string {
  if (!detail) return "";
  return Object.entries(detail)
    .filter(([key]) => key !== "userAgent")
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
}

/** The audit log, newest first, with an action filter and "Load older". */
export function AuditLog(props: { api: Api }) {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [filter, setFilter] = useState("");
  const [more, setMore] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const load = async (before: number | null, action: string) => {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (before !== null) query.set("before", String(before));
    if (action) query.set("action", action);
    try {
      const body = await props.api.get<{ entries: AuditEntry[] }>(`/api/audit?${query}`);
      setEntries((previous) => (before === null ? body.entries : [...previous, ...body.entries]));
      setMore(body.entries.length === PAGE);
      setFailure(null);
    } catch (error) {
      setFailure(errorText(error));
    }
  };
  useEffect(() => void load(null, ""), []);
  return (
    <section class="card" aria-labelledby="audit-title">
      <div class="card-header">
        <h2 id="audit-title">Audit log</h2>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void load(null, filter.trim());
          }}
        >
          <input
            aria-label="Filter by action"
            placeholder="exact action, e.g. login or instance.start"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
          />
          <button type="submit" class="btn btn-sm">Filter</button>
        </form>
      </div>
      {failure && <p class="form-error" role="alert">{failure}</p>}
      <table class="data-table audit-table" aria-label="Audit log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Client</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} data-audit-action={entry.action}>
              <td>{new Date(entry.at).toLocaleString()}</td>
              <td class="mono wrap">{entry.actor}</td>
              <td class="mono wrap">{entry.action}</td>
              <td class="wrap">{entry.target ?? ""}</td>
              <td class="mono">{entry.client ?? ""}</td>
              <td class="mono small wrap">{detailText(entry.detail)}</td>
            </tr>
          ))}
          {entries.length === 0 && !failure && (
            <tr>
              <td colSpan={6} class="muted" data-audit-empty>
                {filter.trim()
                  ? `No entry has the action "${filter.trim()}". The filter matches whole action names such as login, login_failed or instance.start.`
                  : "Nothing recorded yet."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {more && (
        <button
          type="button"
          class="btn btn-sm"
          onClick={() => void load(entries.at(-1)?.id ?? null, filter.trim())}
        >
          Load older
        </button>
      )}
    </section>
  );
}
