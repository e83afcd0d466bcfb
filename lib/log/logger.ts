/** Log levels in increasing severity; `AIKORE_LOG` picks the lowest one printed. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

/** Structured fields attached to a log line. Secrets must never be passed here. */
export type LogFields = Record<string, unknown>;

/** A minimal structured logger writing one line per event to stderr. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that prefixes every line with `scope`. */
  child(scope: string): Logger;
}

const encoder = new TextEncoder();

function formatFields(fields: LogFields | undefined): string {
  if (!fields) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const text = value instanceof Error
      ? value.message
      : typeof value === "string"
      ? value
      : JSON.stringify(value);
    parts.push(`${key}=${/[\s"]/.test(text ?? "") ? JSON.stringify(text) : text}`);
  }
  return parts.length ? " " + parts.join(" ") : "";
}

/** Creates a logger that prints lines at or above `level` to `sink` (stderr by default). */
export function createLogger(
  level: LogLevel,
  scope = "aikore",
  sink: (line: string) => void = (line) => Deno.stderr.writeSync(encoder.encode(line + "\n")),
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const emit = (lineLevel: LogLevel, message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
    const time = new Date().toISOString();
    sink(
      `${time} ${lineLevel.toUpperCase().padEnd(5)} [${scope}] ${message}${formatFields(fields)}`,
    );
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (child) => createLogger(level, `${scope}:${child}`, sink),
  };
}

/** A logger that drops everything; for tests that do not inspect logs. */
export const silentLogger: Logger = createLogger("silent");
