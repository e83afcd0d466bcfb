import { RE2JS } from "re2js";
import type { ExitStatus, PtySession } from "../pty/mod.ts";
import { assertProbePath, probeHttp } from "./http_probe.ts";

/** How to tell that an instance is up. */
export type HealthCheck =
  | { kind: "http"; port: number; path: string }
  | { kind: "log"; pattern: RegExp }
  | { kind: "process" };

/** Why waiting ended. */
export type HealthOutcome = "healthy" | "exited" | "aborted";

/** What the wait watches besides the check itself. */
export interface HealthContext {
  session: PtySession;
  exited: Promise<ExitStatus>;
  /** Abort to give up (start timeout, user stop). */
  signal: AbortSignal;
  /** Poll interval for http and process checks (default 50 ms). */
  intervalMs?: number;
}

// CSI, OSC and two-byte escape sequences, so a coloured "READY" still matches.
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const LOG_TAIL_CHARS = 8192;

/**
 * Resolves "healthy" once the check passes, "exited" as soon as the process ends, or
 * "aborted" when `signal` fires — whichever comes first. http: any answer below 500 on
 * 127.0.0.1:port (polled every ~50 ms); log: the regex matches the output so far (colours
 * stripped, matched in linear time); process: still alive after one interval. Rejects with a
 * RangeError for an http path that is not a plain request target or a log pattern RE2 lacks.
 */
export function waitUntilHealthy(
  check: HealthCheck,
  context: HealthContext,
): Promise<HealthOutcome> {
  const { signal, session } = context;
  const interval = context.intervalMs ?? 50;
  let logPattern: LinearPattern | null = null;
  try {
    if (check.kind === "http") assertProbePath(check.path);
    if (check.kind === "log") {
      logPattern = compileHealthPattern(check.pattern.source, check.pattern.flags);
    }
  } catch (error) {
    return Promise.reject(error);
  }
  if (signal.aborted) return Promise.resolve("aborted");
  return new Promise((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    let done = false;
    const finish = (outcome: HealthOutcome) => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      resolve(outcome);
    };
    const onAbort = () => finish("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
    cleanups.push(() => signal.removeEventListener("abort", onAbort));
    context.exited.then(() => finish("exited"), () => finish("exited"));
    if (logPattern) {
      const unsubscribe = watchLog(logPattern, session, () => finish("healthy"));
      if (done) unsubscribe(); // matched the scrollback already
      else cleanups.push(unsubscribe);
    } else if (check.kind === "process") {
      const timer = setTimeout(() => finish("healthy"), interval);
      cleanups.push(() => clearTimeout(timer));
    } else if (check.kind === "http") {
      pollHttp(check.port, check.path, interval, () => done, () => finish("healthy"), cleanups)
        .catch(reject);
    }
  });
}

async function pollHttp(
  port: number,
  path: string,
  interval: number,
  isDone: () => boolean,
  onHealthy: () => void,
  cleanups: (() => void)[],
): Promise<void> {
  while (!isDone()) {
    const status = await probeHttp(port, path, 2000);
    if (isDone()) return;
    if (status !== null && status < 500) return onHealthy();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval);
      cleanups.push(() => clearTimeout(timer));
    });
  }
}

/** A compiled health pattern: matching takes time linear in the text, whatever the pattern. */
export interface LinearPattern {
  test(text: string): boolean;
}

/**
 * Compiles a blueprint's log health regex with RE2 (the RE2JS port): no pattern and no output
 * line can make matching backtrack, so nothing an instance prints can stall the server
 * (`^(a+)+$` on a 27-character line froze the backend for 4 s with JavaScript's engine).
 * Flags i, m and s carry over; g and y are meaningless here. Throws RangeError for a pattern RE2
 * does not support (backreferences, lookaround).
 */
export function compileHealthPattern(source: string, flags = ""): LinearPattern {
  let re2Flags = 0;
  if (flags.includes("i")) re2Flags |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) re2Flags |= RE2JS.MULTILINE;
  if (flags.includes("s")) re2Flags |= RE2JS.DOTALL;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, re2Flags);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RangeError(`Log health pattern not supported (RE2 syntax, linear time): ${why}`);
  }
  return { test: (text) => compiled.test(text) };
}

/** Calls `onMatch` once the output (scrollback, then live) matches; returns the unsubscribe. */
function watchLog(regex: LinearPattern, session: PtySession, onMatch: () => void): () => void {
  const decoder = new TextDecoder(); // not fatal: invalid UTF-8 becomes U+FFFD
  let tail = "";
  const matches = (bytes: Uint8Array) => {
    const text = (tail + decoder.decode(bytes, { stream: true })).replace(ANSI, "");
    tail = text.slice(-LOG_TAIL_CHARS);
    return regex.test(text);
  };
  const unsubscribe = session.onOutput((chunk) => {
    if (matches(chunk)) onMatch();
  });
  if (matches(session.scrollback())) onMatch();
  return unsubscribe;
}
