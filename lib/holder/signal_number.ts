/** Linux signal numbers (x86-64 and arm64 agree on these) of the signals AiKore sends. */
const NUMBERS: Partial<Record<Deno.Signal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGWINCH: 28,
};

/** The number of a signal name; throws a RangeError for one AiKore has no use for. */
export function signalNumber(signal: Deno.Signal): number {
  const number = NUMBERS[signal];
  if (number === undefined) throw new RangeError(`No signal number known for ${signal}`);
  return number;
}
