import type { Migration } from "../migration.ts";
import { initialSchema } from "./001_initial.ts";

/** Every migration, in order. Append new ones; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [initialSchema];
