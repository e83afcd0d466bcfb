/**
 * Waits for `promise` at most `ms` milliseconds; true when it settled in time. The timer is
 * cleared either way, so a finished wait never keeps the process (or a test) alive.
 */
export function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(() => true, () => true);
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}
