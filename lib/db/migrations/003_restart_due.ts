import type { Migration } from "../migration.ts";

/**
 * Pending automatic restarts (on-failure back-off): when each is due, so that a restart of
 * AiKore honours a back-off in progress instead of forgetting it.
 */
export const restartDue: Migration = {
  version: 3,
  name: "pending automatic restarts",
  sql: `
    CREATE TABLE instance_restarts (
      instance_id INTEGER PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
      due_at INTEGER NOT NULL,
      failures INTEGER NOT NULL DEFAULT 0
    );
  `,
};
