export { InstanceService } from "./service.ts";
export type { InstanceServiceDeps, RuntimeControl } from "./service.ts";
export {
  INSTANCE_EVENT,
  INSTANCE_REMOVED_EVENT,
  InstanceStore,
  ORDER_EVENT,
} from "./instance_store.ts";
export { EventBus } from "./event_bus.ts";
export type { BusEvent, BusListener } from "./event_bus.ts";
export { InstancePaths } from "./instance_paths.ts";
export { TrashStore } from "./trash_store.ts";
export type { TrashEntry } from "./trash_store.ts";
export { toInstanceDto, urlContextOf } from "./instance_dto.ts";
export type { Publication, UrlContext } from "./instance_dto.ts";
export type { BlueprintFacts, BlueprintSource } from "./blueprint_source.ts";
export { SYSTEM_ACTOR } from "./actor.ts";
export type { Actor } from "./actor.ts";
export { ACTIVE_STATUSES, canTransition, STARTABLE_STATUSES } from "./state_machine.ts";
export { instanceBaseEnv, InstanceLifecycle } from "./lifecycle.ts";
export type { LifecycleDeps } from "./lifecycle.ts";
export { buildLaunchPlan, inheritedEnv } from "./launch_plan.ts";
export { type Clock, systemClock } from "./runtime/clock.ts";
export { chooseHolder, HOLDERS_OFF } from "./runtime/holder_setup.ts";
export { chooseDesktop } from "./runtime/desktop_setup.ts";
export type { DesktopSetup } from "./runtime/desktop_setup.ts";
export type { InstanceProcess } from "./runtime/instance_process.ts";
export type { OwnerSection } from "./runtime/instance_owner.ts";
export type { InstanceLaunchPlan } from "./launch_plan.ts";
export { TERMINAL_SESSION, TerminalManager } from "./terminals.ts";
export { spawnHeldShell, sweepHeldShells } from "./held_shell.ts";
export type { TerminalHolderSetup } from "./held_shell.ts";
export type { Terminal, TerminalInfo } from "./terminals.ts";
export { InstanceLogs, type LogChunk, MAX_LOG_WAIT_MS } from "./instance_logs.ts";
export { PlainTextLines, plainTextStream } from "./log_plain_text.ts";
export { type BrowsedFolder, FolderBrowser, type OpenedFile } from "./folder_browser.ts";
export { noticeEventOf, Notifier } from "./notifier.ts";
export { runVersionCheck } from "./version_check.ts";
export { GatewayPublisher } from "./gateway_publisher.ts";
export type { GatewayPublisherDeps } from "./gateway_publisher.ts";
export { type RunEntry, RunHistory } from "./run_history.ts";
export { EnvironmentRecorder, type EnvironmentRecorderDeps } from "./environment_recorder.ts";
export { takeEnvironmentSnapshot } from "./environment_snapshot.ts";
export { idleStop } from "./runtime/idle_setup.ts";
export { IDLE_TIMING, type IdleTiming, IdleWatcher } from "./runtime/idle_watcher.ts";
export { type DataFolderContext, labelDataFolders } from "./data_folder_labels.ts";
