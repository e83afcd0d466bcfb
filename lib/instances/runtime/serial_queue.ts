/**
 * Runs tasks one at a time, in the order they were queued. A failing task rejects only its
 * own promise; the next task still runs.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** Queues `task`; resolves or rejects with its outcome. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(task).finally(() => this.#pending--);
    // The chain continues whatever the task did; the caller gets the outcome.
    this.#tail = result.then(() => undefined, () => undefined);
    return result;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves once every task queued so far has finished. */
  async drained(): Promise<void> {
    while (this.#pending > 0) await this.#tail;
  }
}
