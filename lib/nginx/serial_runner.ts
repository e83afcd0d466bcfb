type Waiter = { resolve: (output: unknown) => void; reject: (error: unknown) => void };

/**
 * Runs tasks one at a time, in call order. `latest` coalesces requests: while one waits
 * its turn, a newer request replaces it and every waiting caller gets the newer one's result.
 */
export class SerialRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private pending: { input: unknown; waiters: Waiter[] } | null = null;

  /** Runs `task` after everything queued before it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.chain.then(task, task);
    this.chain = result.catch(() => {});
    return result;
  }

  /** Queues `task(input)` unless a queued one is still waiting: then only the newest input runs. */
  latest<I, T>(input: I, task: (input: I) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = { resolve: (output: unknown) => resolve(output as T), reject };
      if (this.pending) {
        this.pending.input = input;
        this.pending.waiters.push(waiter);
        return;
      }
      const pending = { input: input as unknown, waiters: [waiter] };
      this.pending = pending;
      this.run(async () => {
        this.pending = null;
        return await task(pending.input as I);
      }).then(
        (output) => pending.waiters.forEach((w) => w.resolve(output)),
        (error) => pending.waiters.forEach((w) => w.reject(error)),
      );
    });
  }
}
