/**
 * AiKore's program entry: `serve` (the default) runs the server; the other commands are the
 * operator's command line (see README "Command line").
 */
import { assetPaths, type Config, ConfigError, loadConfig } from "./lib/config/mod.ts";
import { createLogger, type Logger } from "./lib/log/mod.ts";
import { runCli } from "./cli.ts";
import { startServer } from "./server.ts";

function resolveConfig(): Config {
  try {
    return loadConfig(Deno.env.toObject(), {
      cwd: Deno.cwd(),
      stockBlueprintsDir: assetPaths.stockBlueprints,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      Deno.stderr.writeSync(new TextEncoder().encode(`AiKore cannot start: ${error.message}\n`));
      Deno.exit(2);
    }
    throw error;
  }
}

async function serve(config: Config, logger: Logger): Promise<void> {
  const running = await startServer(config, logger);
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
    logger.info(`${signal}: stopping instances and the gateway`);
    await running.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", () => void shutdown("SIGTERM"));
  Deno.addSignalListener("SIGINT", () => void shutdown("SIGINT"));
}

if (import.meta.main) {
  const [command = "serve", ...rest] = Deno.args;
  if (command === "serve" && rest.length === 0) {
    const config = resolveConfig();
    await serve(config, createLogger(config.logLevel));
  } else {
    Deno.exit(await runCli(command, rest, resolveConfig));
  }
}
