import type { Migration } from "../migration.ts";
import { initialSchema } from "./001_initial.ts";
import { restartDue } from "./003_restart_due.ts";

/** Every migration, in order. Append new ones; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [initialSchema, restartDue];
