import type { Logger } from "../log/mod.ts";

let installed = false;

/**
 * Keeps AiKore serving when a bug escapes: an unhandled promise rejection or an uncaught
 * exception in a callback is logged with its stack and counted, instead of ending the process
 * (which would hang up every instance's terminal). Installed once, by main.ts.
 */
export function installCrashGuard(logger: Logger): void {
  if (installed) return;
  installed = true;
  let count = 0;
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    count++;
    logger.error("unhandled promise rejection; AiKore keeps serving", {
      ...describe(event.reason),
      count,
    });
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    count++;
    logger.error("uncaught exception; AiKore keeps serving", {
      ...describe(event.error ?? event.message),
      count,
    });
  });
}

/** The error's name, message and first stack frames, for one log line. */
export function describe(reason: unknown): { error: string; stack?: string } {
  if (reason instanceof Error) {
    const frames = (reason.stack ?? "").split("\n").slice(1, 6).map((line) => line.trim());
    return {
      error: `${reason.name}: ${reason.message}`,
      ...(frames.length > 0 ? { stack: frames.join(" | ") } : {}),
    };
  }
  return { error: typeof reason === "string" ? reason : JSON.stringify(reason) ?? String(reason) };
}
