import type { ApiErrorBody } from "../shared/api_error.ts";
import type { InstanceDto } from "../shared/instance_schema.ts";
import type { ParsedArgs } from "./command_spec.ts";

/** Where AiKore is when neither --url nor AIKORE_URL says (AIKORE_LISTEN's default). */
export const DEFAULT_URL = "http://127.0.0.1:9000";

/** A failed API call, as one line for the terminal; `usage` marks a mistake of the caller. */
export class ApiFailure extends Error {
  constructor(message: string, readonly usage = false) {
    super(message);
    this.name = "ApiFailure";
  }
}

/** One line for an error body: `404 not_found: Instance not found (field: reason; …)`. */
export function describeApiError(status: number, body: unknown): string {
  const error = (body as Partial<ApiErrorBody> | null)?.error;
  if (!error || typeof error.message !== "string") {
    return `HTTP ${status}: not an AiKore API answer (is the URL right?)`;
  }
  const details = Array.isArray(error.details)
    ? error.details.map((d) => `${d.field}: ${d.reason}`).join("; ")
    : "";
  const hint = status === 401 ? " (check AIKORE_TOKEN or --token)" : "";
  return `${status} ${error.code}: ${error.message}${details ? ` (${details})` : ""}${hint}`;
}

/** The running AiKore's API, authenticated with an API token. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string;

  constructor(baseUrl: string, token: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#token = token;
  }

  /** --url/--token win over AIKORE_URL/AIKORE_TOKEN; no token is a usage error. */
  static from(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): ApiClient {
    const url = args.flags.get("url") || env.AIKORE_URL || DEFAULT_URL;
    const token = args.flags.get("token") || env.AIKORE_TOKEN;
    if (!token) {
      throw new ApiFailure(
        "no API token: set AIKORE_TOKEN (or pass --token); create one in Settings or with " +
          '"aikore tokens create NAME"',
        true,
      );
    }
    if (!/^https?:\/\/[^/]/.test(url)) {
      throw new ApiFailure(`the AiKore URL "${url}" must start with http:// or https://`, true);
    }
    return new ApiClient(url, token);
  }

  /** Sends a request (`body` as JSON); the response when 2xx, else an ApiFailure with the reason. */
  async send(
    method: string,
    path: string,
    signal?: AbortSignal,
    body?: unknown,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: "application/json",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(signal ? { signal } : {}),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiFailure(`cannot reach AiKore at ${this.baseUrl}: ${(error as Error).message}`);
    }
    if (response.ok) return response;
    const answer = await response.json().catch(() => null);
    throw new ApiFailure(describeApiError(response.status, answer));
  }

  /** A JSON request (with `body` as JSON when given). */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, undefined, body);
    try {
      return await response.json() as T;
    } catch {
      throw new ApiFailure(`${method} ${path}: the answer is not JSON (is the URL right?)`);
    }
  }

  /** The instance named by slug, or by id when no slug matches (slugs may be digits). */
  async instance(name: string): Promise<InstanceDto> {
    const list = await this.json<InstanceDto[]>("GET", "/api/instances");
    const found = list.find((i) => i.slug === name) ??
      (/^\d{1,15}$/.test(name) ? list.find((i) => i.id === Number(name)) : undefined);
    if (found) return found;
    const known = list.map((i) => i.slug).join(", ") || "none";
    throw new ApiFailure(`no instance "${name}" (by slug or id); instances: ${known}`);
  }
}
