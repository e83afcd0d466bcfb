/**
 * A real HTTP server on a loopback port the kernel picks, standing in for a webhook (ntfy,
 * Discord, a user's own): it records every request and answers with the statuses it is given.
 */

export interface ReceivedHook {
  path: string;
  search: string;
  contentType: string | null;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  /** Resolves with the `count`-th request (1-based) once it has arrived. */
  nth(count: number, timeoutMs?: number): Promise<ReceivedHook>;
  close(): Promise<void>;
}

/** `answers` are the statuses of the first requests in turn; later ones get 204. */
export function startWebhookReceiver(answers: number[] = []): WebhookReceiver {
  const received: ReceivedHook[] = [];
  const waiters: Array<() => void> = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      received.push({
        path: url.pathname,
        search: url.search,
        contentType: request.headers.get("content-type"),
        body: await request.text(),
      });
      for (const wake of waiters.splice(0)) wake();
      return new Response(null, { status: answers[received.length - 1] ?? 204 });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    received,
    nth(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`webhook: ${received.length} of ${count} requests arrived`)),
          timeoutMs,
        );
        const check = () => {
          const hook = received[count - 1];
          if (!hook) return waiters.push(check);
          clearTimeout(timer);
          resolve(hook);
        };
        check();
      });
    },
    close: () => server.shutdown(),
  };
}
