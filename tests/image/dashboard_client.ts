/** AiKore's HTTP API driven from outside the container, as a user's script would. */
import { login, readSse } from "../helpers/server_harness.ts";

export interface InstanceView {
  id: number;
  name: string;
  slug: string;
  base_blueprint: string;
  status: string;
  port: number | null;
  pid: number | null;
}

export interface DashboardClient {
  base: string;
  cookie: string;
  // deno-lint-ignore no-explicit-any
  json(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Resolves when instance `id` reports `status` on the event stream; rejects at `timeoutMs`. */
  waitForStatus(id: number, status: string, timeoutMs: number): Promise<InstanceView>;
}

/** Logs in with the password and returns a client carrying the session and CSRF token. */
export async function connect(base: string, password: string): Promise<DashboardClient> {
  const session = await login(base, password);
  const headers = (json: boolean): Record<string, string> => ({
    cookie: session.cookie,
    "x-csrf-token": session.csrfToken,
    origin: base,
    ...(json ? { "content-type": "application/json" } : {}),
  });
  /** One read of the event stream: the view once `id` has `status`, else null when it ends. */
  const watchFor = async (
    id: number,
    status: string,
    signal: AbortSignal,
    seen: (status: string) => void,
  ): Promise<InstanceView | null> => {
    const response = await fetch(`${base}/api/events`, { headers: headers(false), signal });
    if (!response.ok) throw new Error(`/api/events answered ${response.status}`);
    for await (const event of readSse(response)) {
      const views: InstanceView[] = event.event === "snapshot"
        ? JSON.parse(event.data).instances
        : event.event === "instance"
        ? [JSON.parse(event.data)]
        : [];
      const view = views.find((candidate) => candidate.id === id);
      if (!view) continue;
      seen(view.status);
      if (view.status === status) {
        await response.body?.cancel().catch(() => {});
        return view;
      }
    }
    return null;
  };
  return {
    base,
    cookie: session.cookie,
    async json(method, path, body) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: headers(body !== undefined),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async waitForStatus(id, status, timeoutMs) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      let last = "unknown";
      try {
        // The gateway's nginx ends streams of old workers on every reload (each publish): read
        // again from a fresh snapshot, as EventSource would, until the deadline.
        while (!abort.signal.aborted) {
          try {
            const found = await watchFor(id, status, abort.signal, (seen) => last = seen);
            if (found) return found;
          } catch (error) {
            if (abort.signal.aborted) break;
            if (!(error instanceof TypeError)) throw error;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
      throw new Error(`instance ${id} did not reach ${status} in ${timeoutMs} ms (is ${last})`);
    },
  };
}
