import type { LogFields, Logger } from "../log/mod.ts";
import { describe } from "./crash_guard.ts";

/**
 * Runs `work` without awaiting it: a failure is logged with `context` (what was being done,
 * for which instance) instead of becoming an unhandled rejection. The way to fire and forget.
 */
export function background(
  work: Promise<unknown> | (() => Promise<unknown>),
  logger: Logger,
  context: LogFields & { task: string },
): void {
  let promise: Promise<unknown>;
  try {
    promise = typeof work === "function" ? work() : work;
  } catch (error) {
    promise = Promise.reject(error);
  }
  promise.then(
    () => {},
    (error) =>
      logger.error(`background task failed: ${context.task}`, { ...context, ...describe(error) }),
  );
}
