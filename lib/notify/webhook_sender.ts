import type { Logger } from "../log/mod.ts";
import type { DeliveryResult } from "../shared/notification_settings.ts";
import type { WebhookRequest } from "./notice.ts";

export interface WebhookSenderOptions {
  logger: Logger;
  /** One try's limit (default 10 s). */
  timeoutMs?: number;
  /** Waits before each retry of a failed delivery (default 5 s, 30 s, 2 min). */
  retryDelaysMs?: readonly number[];
  /** Notices waiting at most; beyond it the oldest is dropped, and said so (default 20). */
  maxQueued?: number;
}

/**
 * Delivers webhook requests one at a time, in order, in the background: a slow or dead
 * receiver never holds the instance that caused the notice, and a failed delivery is retried a
 * few times, then given up (logged, and shown as the last delivery). Redirects are not
 * followed: the address is exactly the one the user set.
 */
export class WebhookSender {
  #queue: WebhookRequest[] = [];
  #draining = false;
  #closed = new AbortController();
  #last: DeliveryResult | null = null;
  readonly #timeoutMs: number;
  readonly #retryDelays: readonly number[];
  readonly #maxQueued: number;

  constructor(private readonly options: WebhookSenderOptions) {
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retryDelays = options.retryDelaysMs ?? [5_000, 30_000, 120_000];
    this.#maxQueued = options.maxQueued ?? 20;
  }

  /** The outcome of the last try, or null before the first. */
  get lastDelivery(): DeliveryResult | null {
    return this.#last;
  }

  /** Queues a request; it is sent (and retried) in the background. */
  send(request: WebhookRequest): void {
    if (this.#closed.signal.aborted) return;
    if (this.#queue.length >= this.#maxQueued) {
      this.#queue.shift();
      this.options.logger.warn("notification dropped: too many waiting for the webhook", {
        waiting: this.#maxQueued,
      });
    }
    this.#queue.push(request);
    if (this.#draining) return;
    this.#draining = true;
    this.#drain().catch((error) => {
      this.options.logger.error("notification delivery stopped", { error });
    }).finally(() => {
      this.#draining = false;
    });
  }

  /** Sends one request now, once (the settings page's "Send a test"), and records the result. */
  async tryOnce(request: WebhookRequest): Promise<DeliveryResult> {
    const result = await this.#attempt(request);
    this.#last = result;
    return result;
  }

  /** Stops: what waits is dropped, a try in flight is cut. */
  close(): void {
    this.#closed.abort();
    this.#queue = [];
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed.signal.aborted) {
      const request = this.#queue.shift() as WebhookRequest;
      for (let attempt = 0;; attempt++) {
        const result = await this.tryOnce(request);
        if (result.ok || this.#closed.signal.aborted) break;
        const delay = this.#retryDelays[attempt];
        if (delay === undefined) {
          this.options.logger.warn("notification given up", { detail: result.detail });
          break;
        }
        this.options.logger.warn("notification failed; it will be retried", {
          detail: result.detail,
          retryInMs: delay,
        });
        await this.#sleep(delay);
      }
    }
  }

  async #attempt(request: WebhookRequest): Promise<DeliveryResult> {
    const at = new Date().toISOString();
    const signal = AbortSignal.any([this.#closed.signal, AbortSignal.timeout(this.#timeoutMs)]);
    try {
      const response = await fetch(request.url, {
        method: "POST",
        headers: request.headers,
        body: request.body,
        redirect: "manual",
        signal,
      });
      await response.body?.cancel();
      const ok = response.status >= 200 && response.status < 300;
      return { at, ok, detail: `HTTP ${response.status}` };
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      const detail = timedOut
        ? `no answer within ${this.#timeoutMs / 1000} s`
        : error instanceof Error
        ? error.message
        : String(error);
      return { at, ok: false, detail };
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#closed.signal.removeEventListener("abort", wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#closed.signal.addEventListener("abort", wake, { once: true });
    });
  }
}
