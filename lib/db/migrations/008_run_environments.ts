import type { Migration } from "../migration.ts";

/**
 * What each run's environment held (Python, packages, git checkouts, as JSON), recorded once the
 * app is healthy (`environment_healthy` 1) or when the run failed before it was (0): the run
 * history can then say what changed since the last run that worked.
 */
export const runEnvironments: Migration = {
  version: 8,
  name: "run environments",
  sql: `
    ALTER TABLE instance_runs ADD COLUMN environment TEXT;
    ALTER TABLE instance_runs ADD COLUMN environment_healthy INTEGER;
  `,
};
