import { AuthService, hashPassword, passwordProblem } from "../auth/mod.ts";
import { AuditRepository, openDatabase, SettingsRepository } from "../db/mod.ts";
import { silentLogger } from "../log/mod.ts";
import type { CommandResult } from "./blueprint_commands.ts";

/** Where a command gets a password from: stdin, never argv (argv is visible in `ps`). */
export type ReadPassword = (prompt: string) => Promise<string | null>;

/** `hash-password`: reads a password and prints its scrypt hash (OWASP parameters). */
export async function hashPasswordCommand(
  args: readonly string[],
  context: { readPassword: ReadPassword },
): Promise<CommandResult> {
  if (args.length > 0) {
    return { exitCode: 2, output: "usage: aikore hash-password  (reads the password from stdin)" };
  }
  const password = await context.readPassword("Password: ");
  if (password === null) return { exitCode: 1, output: "no password given on stdin" };
  const problem = passwordProblem(password);
  if (problem) return { exitCode: 1, output: `the password ${problem}` };
  return { exitCode: 0, output: await hashPassword(password) };
}

/**
 * `reset-password [--clear]`: sets a new password read from stdin (or, with --clear, removes
 * it so the next start prints a setup link) and signs every session out.
 */
export async function resetPasswordCommand(
  args: readonly string[],
  context: { dbPath: string; readPassword: ReadPassword },
): Promise<CommandResult> {
  const clear = args.length === 1 && args[0] === "--clear";
  if (args.length > 0 && !clear) {
    return {
      exitCode: 2,
      output: "usage: aikore reset-password [--clear]  (new password on stdin)",
    };
  }
  let password: string | null = null;
  if (!clear) {
    password = await context.readPassword("New password: ");
    if (password === null) return { exitCode: 1, output: "no password given on stdin" };
    const problem = passwordProblem(password);
    if (problem) return { exitCode: 1, output: `the password ${problem}` };
  }
  const db = openDatabase(context.dbPath);
  try {
    const auth = new AuthService({
      db,
      settings: new SettingsRepository(db),
      audit: new AuditRepository(db),
      logger: silentLogger,
      authEnabled: true,
    });
    const { sessionsEnded } = await auth.resetPassword(password, "cli");
    const what = clear
      ? "Password removed; the next start prints a one-time setup link"
      : "Password changed";
    return { exitCode: 0, output: `${what}. ${sessionsEnded} session(s) signed out.` };
  } finally {
    db.close();
  }
}

/**
 * Reads one line from stdin without echo when stdin is a terminal (the prompt goes to stderr);
 * null at end of input.
 */
export async function readPasswordLine(prompt: string): Promise<string | null> {
  const terminal = Deno.stdin.isTerminal();
  if (terminal) {
    await Deno.stderr.write(new TextEncoder().encode(prompt));
    Deno.stdin.setRaw(true);
  }
  const bytes: number[] = [];
  const buffer = new Uint8Array(1);
  try {
    for (;;) {
      const n = await Deno.stdin.read(buffer);
      const byte = buffer[0];
      if (n === null || byte === undefined) break;
      if (n === 0) continue;
      if (byte === 0x0a || byte === 0x0d) break;
      if (terminal && byte === 0x03) return null; // Ctrl-C in raw mode
      if (terminal && (byte === 0x7f || byte === 0x08)) bytes.pop();
      else bytes.push(byte);
      if (bytes.length > 4096) break;
    }
  } finally {
    if (terminal) {
      Deno.stdin.setRaw(false);
      await Deno.stderr.write(new TextEncoder().encode("\n"));
    }
  }
  if (bytes.length === 0 && !terminal) return null;
  return new TextDecoder().decode(new Uint8Array(bytes));
}
