/**
 * AiKore's program entry: `serve` (the default) runs the server; the other commands are the
 * operator's command line (see README "Command line").
 */
import { assetPaths, type Config, ConfigError, loadConfig } from "./lib/config/mod.ts";
import { createLogger, type Logger } from "./lib/log/mod.ts";
import {
  AddressInUseError,
  assertCanListen,
  DataDirLockedError,
  installCrashGuard,
  lockDataDir,
} from "./lib/guard/mod.ts";
import { becomeChildSubreaper, processContainment, startOrphanReaper } from "./lib/process/mod.ts";
import { runCli } from "./cli.ts";
import { startServer } from "./server.ts";

/** One clear line on stderr and exit code 2: a start-up refusal, not a crash. */
function refuse(message: string): never {
  Deno.stderr.writeSync(new TextEncoder().encode(`AiKore cannot start: ${message}\n`));
  Deno.exit(2);
}

function resolveConfig(): Config {
  try {
    return loadConfig(Deno.env.toObject(), {
      cwd: Deno.cwd(),
      stockBlueprintsDir: assetPaths.stockBlueprints,
    });
  } catch (error) {
    if (error instanceof ConfigError) refuse(error.message);
    throw error;
  }
}

/**
 * Refusals before anything is touched: a second AiKore on the data dir, a taken port. With a
 * managed gateway the dashboard port may still be held by the nginx of a killed AiKore, which
 * the boot replaces, so the ports are checked up front only when AiKore binds them itself.
 */
function claimResources(config: Config): void {
  try {
    lockDataDir(config.dataDir);
    if (config.nginxMode === "off") checkPorts(config);
  } catch (error) {
    if (error instanceof DataDirLockedError || error instanceof AddressInUseError) {
      refuse(error.message);
    }
    throw error;
  }
}

function checkPorts(config: Config): void {
  assertCanListen(config.listen.hostname, config.listen.port, "AIKORE_LISTEN");
  if (config.nginxMode !== "off") {
    assertCanListen("127.0.0.1", config.backendPort, "AIKORE_BACKEND_PORT");
  }
}

async function serve(config: Config, logger: Logger): Promise<void> {
  claimResources(config);
  // Orphans of instances (double fork, daemons) are re-parented to AiKore, not to init.
  if (becomeChildSubreaper()) startOrphanReaper(logger.child("reaper"));
  else logger.warn("cannot become a child subreaper; daemons may escape");
  // Which layers find an instance's processes here (cgroups need a writable cgroup v2).
  logger.info("process containment", { layers: processContainment().layers().join(",") });
  let running;
  try {
    running = await startServer(config, logger);
  } catch (error) {
    // A port AiKore binds itself (dashboard without gateway, its fallback, the backend port).
    if (error instanceof Deno.errors.AddrInUse) {
      try {
        checkPorts(config);
      } catch (busy) {
        if (busy instanceof AddressInUseError) refuse(busy.message);
      }
      refuse(`an address AiKore listens on is already in use: ${error.message}`);
    }
    throw error;
  }
  logger.info(`AiKore is listening on ${running.dashboardUrl}`, {
    backend: running.backendUrl,
    gateway: running.gateway.enabled ? "managed nginx" : "off",
    data: config.dataDir,
  });
  for (const line of running.startupNotices) logger.warn(line);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const leave = config.onShutdown === "leave";
    // AIKORE_ON_SHUTDOWN=leave: instances keep running under their holders and are
    // re-attached by the next start; "stop" stops them as before.
    logger.info(
      leave
        ? `${signal}: stopping AiKore; instances keep running (AIKORE_ON_SHUTDOWN=leave)`
        : `${signal}: stopping instances and the gateway`,
    );
    await running.close({ leaveInstances: leave });
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", () => void shutdown("SIGTERM"));
  Deno.addSignalListener("SIGINT", () => void shutdown("SIGINT"));
}

if (import.meta.main) {
  const [command = "serve", ...rest] = Deno.args;
  if (command === "serve" && rest.length === 0) {
    const config = resolveConfig();
    const logger = createLogger(config.logLevel);
    installCrashGuard(logger);
    await serve(config, logger);
  } else {
    Deno.exit(await runCli(command, rest, resolveConfig));
  }
}
