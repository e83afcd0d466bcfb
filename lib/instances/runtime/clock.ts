/** Time as the runtime sees it; tests pass a fake one they advance by hand. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (persisted restart due times use it). */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};
