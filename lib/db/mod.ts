export { openDatabase, type OpenDatabaseOptions, transaction } from "./database.ts";
export {
  copyBeforeUpgrade,
  KEPT_UPGRADE_COPIES,
  upgradeCopies,
  type UpgradeCopy,
} from "./upgrade_copies.ts";
export { migrate, MigrationError, schemaVersion } from "./migration.ts";
export type { Migration } from "./migration.ts";
export { MIGRATIONS } from "./migrations/list.ts";
export { InstanceRepository } from "./instance_repository.ts";
export { InstanceRestartRepository } from "./instance_restart_repository.ts";
export type { PendingRestart } from "./instance_restart_repository.ts";
export { rowProblem } from "./instance_record.ts";
export type { InstanceConfig, InstanceRecord, InstanceRuntime } from "./instance_record.ts";
export { SettingsRepository } from "./settings_repository.ts";
export { AuditRepository } from "./audit_repository.ts";
export type { AuditEntry, AuditInput } from "./audit_repository.ts";
export { ModelDownloadRepository } from "./model_download_repository.ts";
export type { ModelDownloadChange, ModelDownloadRecord } from "./model_download_repository.ts";
export { UsageHistoryRepository } from "./usage_history_repository.ts";
export type { UsageRange, UsageTier } from "./usage_history_repository.ts";
