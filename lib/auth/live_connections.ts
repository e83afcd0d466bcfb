/**
 * Live WebSockets and event streams by the credential that opened them (`session:<hash>`,
 * `token:<id>`), so that ending a credential ends its connections: at once for a logout, a
 * password change or a revocation in this process, and within one sweep for anything else
 * (expiry, a reset from the command line) since the sweep asks the store whether each
 * credential is still live.
 */
export class LiveConnections {
  readonly #byCredential = new Map<string, Set<() => void>>();
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly stillLive: (credential: string) => boolean,
    private readonly sweepMs = 500,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Registers `close` for `credential`; returns the function that unregisters it. */
  add(credential: string | undefined, close: () => void): () => void {
    if (!credential) return () => {};
    let set = this.#byCredential.get(credential);
    if (!set) this.#byCredential.set(credential, set = new Set());
    set.add(close);
    this.#startSweep();
    return () => {
      set.delete(close);
      if (set.size === 0 && this.#byCredential.get(credential) === set) {
        this.#byCredential.delete(credential);
      }
      if (this.#byCredential.size === 0) this.#stopSweep();
    };
  }

  /** How many connections are registered (all credentials). */
  get size(): number {
    let total = 0;
    for (const set of this.#byCredential.values()) total += set.size;
    return total;
  }

  /** Closes every connection of `credential` now. */
  end(credential: string): void {
    const set = this.#byCredential.get(credential);
    if (!set) return;
    this.#byCredential.delete(credential);
    for (const close of set) this.#closeQuietly(close);
    if (this.#byCredential.size === 0) this.#stopSweep();
  }

  /** Closes the connections of every credential `which` selects. */
  endWhere(which: (credential: string) => boolean): void {
    for (const credential of [...this.#byCredential.keys()]) {
      if (which(credential)) this.end(credential);
    }
  }

  /** Closes the connections of credentials that are no longer live. */
  sweep(): void {
    this.endWhere((credential) => {
      try {
        return !this.stillLive(credential);
      } catch (error) {
        this.onError(error);
        return false;
      }
    });
  }

  /** Stops the sweep timer (shutdown). */
  close(): void {
    this.#stopSweep();
  }

  #closeQuietly(close: () => void): void {
    try {
      close();
    } catch (error) {
      this.onError(error);
    }
  }

  #startSweep(): void {
    if (this.#timer !== null) return;
    const timer = setInterval(() => this.sweep(), this.sweepMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  #stopSweep(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }
}
