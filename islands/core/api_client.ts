/** JSON calls to AiKore's API with the session's CSRF token; every failure becomes an ApiError. */
import { apiErrorMessage } from "../../lib/shared/api_error.ts";
import { plainError } from "./plain_error.ts";

/** A failed API call; `message` is meant for the user. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The message of any error, for a toast. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

/** What the islands call. */
export interface Api {
  /** `signal` ends a request the page no longer needs (a long wait for a change). */
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  del<T>(path: string, body?: unknown): Promise<T>;
  /** Replaces the CSRF token (after a password change renews the session). */
  setCsrfToken(token: string | null): void;
}

export interface ApiOptions {
  csrfToken: string | null;
  /** Called on 401: the session ended (the default sends the browser to the login page). */
  onUnauthorized?: () => void;
}

function codeOf(body: unknown): string {
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === "string" ? error.code : "";
}

/** Creates the API client of a page. */
export function createApi(options: ApiOptions): Api {
  let csrf = options.csrfToken;
  const unauthorized = options.onUnauthorized ?? (() => {
    const next = location.pathname + location.search;
    location.assign(`/login?next=${encodeURIComponent(next)}`);
  });

  async function refreshCsrf(): Promise<boolean> {
    const response = await fetch("/api/auth/session", { credentials: "same-origin" });
    if (!response.ok) return false;
    const body = await response.json() as { csrfToken?: string | null };
    csrf = body.csrfToken ?? null;
    return true;
  }

  async function call<T>(
    method: Method,
    path: string,
    body?: unknown,
    retried = false,
    signal?: AbortSignal,
  ) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (method !== "GET" && csrf) headers["x-csrf-token"] = csrf;
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: "same-origin",
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw new ApiError(`Cannot reach AiKore (${errorText(error)})`, 0, "network", null);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (response.ok) return parsed as T;
    const code = codeOf(parsed);
    if (response.status === 403 && code === "csrf_token" && !retried && await refreshCsrf()) {
      return call<T>(method, path, body, true);
    }
    // A wrong password (invalid_credentials) is not the end of the session.
    if (response.status === 401 && code === "unauthorized") unauthorized();
    const fallback = `${method} ${path} failed: ${response.status} ${response.statusText}`.trim();
    const details = (parsed as { error?: { details?: unknown } } | null)?.error?.details ?? null;
    const message = plainError(apiErrorMessage(parsed, fallback));
    throw new ApiError(message, response.status, code, details);
  }

  return {
    get: (path, signal) => call("GET", path, undefined, false, signal),
    post: (path, body) => call("POST", path, body),
    put: (path, body) => call("PUT", path, body),
    del: (path, body) => call("DELETE", path, body),
    setCsrfToken(token) {
      csrf = token;
    },
  };
}
