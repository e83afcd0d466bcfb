import type { Migration } from "../migration.ts";
import { initialSchema } from "./001_initial.ts";
import { instanceIdsNeverReused } from "./002_instance_ids_never_reused.ts";
import { restartDue } from "./003_restart_due.ts";
import { instanceRuns } from "./004_instance_runs.ts";
import { idleStop } from "./005_idle_stop.ts";
import { modelDownloads } from "./006_model_downloads.ts";
import { usageHistory } from "./007_usage_history.ts";
import { runEnvironments } from "./008_run_environments.ts";

/** Every migration, in order. Append new ones; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  instanceIdsNeverReused,
  restartDue,
  instanceRuns,
  idleStop,
  modelDownloads,
  usageHistory,
  runEnvironments,
];
