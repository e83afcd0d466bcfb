import type { Logger } from "../log/mod.ts";
import type { ConfigStore } from "./config_store.ts";
import { nginxBuildProblem } from "./find_nginx.ts";
import { findNginxProcesses, killProcesses } from "./nginx_processes.ts";

const LOG_ROTATE_BYTES = 16 * 1024 * 1024;

/**
 * Readies `<dataDir>/nginx` for a fresh master: checks the binary has auth_request, creates
 * the folders, rotates a large error log, stops any NGINX a crashed AiKore left running on
 * this prefix (by its pid file and command line, never by name alone) and sets aside a live
 * config that no longer passes `nginx -t`. Throws when the binary cannot serve as gateway.
 */
export async function preparePrefix(
  binary: string,
  store: ConfigStore,
  log: Logger,
): Promise<void> {
  const { paths } = store;
  const buildProblem = await nginxBuildProblem(binary);
  if (buildProblem) throw new Error(`Cannot use nginx: ${buildProblem}`);
  await store.ensureDirs();
  const size = await Deno.stat(paths.errorLog).then((info) => info.size, () => 0);
  if (size > LOG_ROTATE_BYTES) await Deno.rename(paths.errorLog, `${paths.errorLog}.1`);
  const pidText = (await Deno.readTextFile(paths.pidFile).catch(() => "")).trim();
  const leftovers = await findNginxProcesses(
    paths.prefix,
    /^\d+$/.test(pidText) ? Number(pidText) : null,
  );
  if (leftovers.length > 0) {
    log.warn("stopping nginx left over from a previous run", { pids: leftovers.map((p) => p.pid) });
    await killProcesses(leftovers);
  }
  await Deno.remove(paths.pidFile).catch(() => {});
  if ((await store.readLive()) === null) return;
  const test = await store.test(paths.confFile);
  if (test.ok) return;
  log.warn("the previous gateway config fails nginx -t; kept as nginx.conf.err", {
    error: test.message,
  });
  await store.quarantineLive();
}
