import { AuthService, tokenNameProblem } from "../auth/mod.ts";
import { AuditRepository, openDatabase, SettingsRepository } from "../db/mod.ts";
import { silentLogger } from "../log/mod.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import { textColumns } from "./text_columns.ts";

/** What the admin commands write the audit log as (the operator at the server's shell). */
const CLI_CONTEXT = { client: "cli", actor: "cli" };

/** A result saying the data dir has no database, or null when it has one (nothing is created). */
export async function missingDatabase(dbPath: string): Promise<CommandResult | null> {
  try {
    await Deno.stat(dbPath);
    return null;
  } catch {
    return {
      exitCode: 1,
      output: `no AiKore database at ${dbPath}: check AIKORE_DATA_DIR (AiKore creates it when ` +
        "it first starts)",
    };
  }
}

/** Runs `body` with the auth service of the data dir's database. */
async function withDatabaseAuth(
  dbPath: string,
  body: (auth: AuthService) => Promise<CommandResult> | CommandResult,
): Promise<CommandResult> {
  const missing = await missingDatabase(dbPath);
  if (missing) return missing;
  const db = openDatabase(dbPath);
  try {
    return await body(
      new AuthService({
        db,
        settings: new SettingsRepository(db),
        audit: new AuditRepository(db),
        logger: silentLogger,
        authEnabled: true,
      }),
    );
  } finally {
    db.close();
  }
}

function when(ms: number | null): string {
  return ms === null ? "never" : new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

/** `tokens ls`: live API tokens (never their values). */
export function listTokensCommand(dbPath: string): Promise<CommandResult> {
  return withDatabaseAuth(dbPath, (auth) => {
    const tokens = auth.listTokens();
    if (tokens.length === 0) return { exitCode: 0, output: "No API tokens." };
    const rows = tokens.map((t) => [
      String(t.id),
      t.name,
      t.prefix,
      when(t.createdAt),
      when(t.lastUsedAt),
    ]);
    return {
      exitCode: 0,
      output: textColumns([["ID", "NAME", "PREFIX", "CREATED", "LAST USED"], ...rows]),
    };
  });
}

/** `tokens create NAME`: prints the new token alone on stdout (shown once, never stored). */
export function createTokenCommand(dbPath: string, name: string): Promise<CommandResult> {
  const problem = tokenNameProblem(name);
  if (problem) return Promise.resolve({ exitCode: 2, output: `invalid token name: ${problem}` });
  return withDatabaseAuth(dbPath, (auth) => ({
    exitCode: 0,
    output: auth.createToken(name, CLI_CONTEXT).token,
  }));
}

/** `tokens revoke ID`. */
export function revokeTokenCommand(dbPath: string, idText: string): Promise<CommandResult> {
  if (!/^[1-9]\d{0,9}$/.test(idText)) {
    return Promise.resolve({ exitCode: 2, output: `invalid token id "${idText}": a whole number` });
  }
  return withDatabaseAuth(
    dbPath,
    (auth) =>
      auth.revokeToken(Number(idText), CLI_CONTEXT)
        ? { exitCode: 0, output: `Token ${idText} revoked.` }
        : { exitCode: 1, output: `no live API token with id ${idText} (see "aikore tokens ls")` },
  );
}
