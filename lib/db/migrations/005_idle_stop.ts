import type { Migration } from "../migration.ts";

/**
 * The idle-stop policy of each instance: minutes without a request or an open connection
 * before AiKore stops the app. NULL (every existing row) is off.
 */
export const idleStop: Migration = {
  version: 5,
  name: "idle stop policy",
  sql: `
    ALTER TABLE instances ADD COLUMN idle_stop_minutes INTEGER
      CHECK (idle_stop_minutes IS NULL OR idle_stop_minutes >= 0);
  `,
};
