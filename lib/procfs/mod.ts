/**
 * The one reader of /proc (and other in-memory kernel files): process stats and environments,
 * the pid listing (getdents64 over FFI when permitted), and small synchronous file reads.
 * Supervision (lib/pty, lib/process) and telemetry (lib/telemetry) both read processes through it.
 */
export {
  parseAuxv,
  parsePidStat,
  parsePidStatBytes,
  type PidCounters,
  type PidStat,
} from "./pid_stat.ts";
export { listPids } from "./list_pids.ts";
export { PidStatFiles } from "./pid_stat_files.ts";
export {
  environHas,
  isRunning,
  isZombie,
  listLiveProcesses,
  readEnviron,
  readPidStat,
  sessionsWithJobs,
} from "./processes.ts";
export { isDirectory, readBytes, readNumber, readText } from "./read_file.ts";
export { countEstablishedIn, establishedConnections } from "./tcp_connections.ts";
