/**
 * Minimal assertions (JSR's @std/assert is not reachable from these machines).
 */
import { deepStrictEqual, ok, rejects, throws } from "node:assert/strict";

export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  deepStrictEqual(normalize(actual), normalize(expected), message);
}

export function assert(condition: unknown, message?: string): asserts condition {
  ok(condition, message);
}

export function assertThrows(fn: () => unknown, match?: RegExp): void {
  throws(fn, (e: unknown) => !match || match.test(String((e as Error)?.message ?? e)));
}

export async function assertRejects(fn: () => Promise<unknown>, match?: RegExp): Promise<void> {
  await rejects(fn, (e: unknown) => !match || match.test(String((e as Error)?.message ?? e)));
}

export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  ok(pattern.test(text), message ?? `expected ${JSON.stringify(text)} to match ${pattern}`);
}

// node:sqlite rows and some parsed values have a null prototype; compare as plain data.
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}
