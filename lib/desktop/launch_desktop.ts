import { join } from "node:path";
import { MARKER_VARIABLE } from "../process/mod.ts";
import { claimDisplay } from "./claim_display.ts";
import { DesktopStartError } from "./desktop_errors.ts";
import { desktopEnv, desktopFiles, DesktopRun } from "./desktop_run.ts";
import type { DesktopBackend } from "./find_backend.ts";
import { kasmvncArgs, kasmvncSettings, renderKasmvncYaml } from "./kasmvnc_settings.ts";
import type { Component } from "./spawn_component.ts";
import type { DesktopSpec } from "./desktop_spec.ts";
import { normalizePrefix, prepareWebRoot } from "./viewer_page.ts";
import { NotReadyError, readDisplayFd, waitForPort } from "./wait_ready.ts";
import { newCookie, xauthorityBytes } from "./xauthority.ts";
import { tigervncArgs, type XServerOptions } from "./xvnc_args.ts";
import type { DesktopEnv } from "./desktop_run.ts";

type LaunchInput = DesktopSpec & { backend: DesktopBackend; prefix: string; searchPath: string };

/** A desktop whose X server, window manager, proxy and app run. */
export interface LaunchedDesktop {
  run: DesktopRun;
  xserver: Component;
  baseEnv: DesktopEnv;
  app: Component | null;
}

const ATTEMPTS = 3;

/** True when the X server failed because another server holds the display or its socket. */
const displayTaken = (log: string) =>
  /already active|Cannot establish any listening sockets|Address already in use/i.test(log);

async function startXServer(input: LaunchInput, run: DesktopRun, options: XServerOptions) {
  const files = desktopFiles(run.lease.desktopDir);
  await Deno.writeFile(files.authFile, xauthorityBytes(options.display, newCookie()), {
    mode: 0o600,
  });
  let argv: string[];
  if (input.backend.kind === "kasmvnc") {
    const settings = kasmvncSettings({
      ...options,
      webPort: run.lease.webPort,
      webDir: input.backend.webDir,
    });
    await Deno.writeTextFile(files.kasmYaml, renderKasmvncYaml(settings));
    argv = [input.backend.xvnc, ...kasmvncArgs(settings, options)];
  } else argv = [input.backend.xvnc, ...tigervncArgs(options)];
  const env = {
    PATH: input.searchPath,
    HOME: files.home,
    LANG: "C.UTF-8",
    [MARKER_VARIABLE]: input.marker,
  };
  const xserver = await run.spawn({
    role: "xserver",
    argv,
    env,
    cwd: run.lease.desktopDir,
    pipeStdout: true,
  });
  const stdout = xserver.child.stdout;
  await readDisplayFd(stdout, xserver.status, input.readyTimeoutMs ?? 15_000);
  return xserver;
}

/** Reserves a display and starts the X server on it, moving on when another server has it. */
async function reserveAndStartX(input: LaunchInput, desktopDir: string) {
  const skip = new Set<number>();
  for (let attempt = 1;; attempt++) {
    const lease = await claimDisplay({
      dataDir: input.dataDir,
      displays: input.displays ?? { first: 10, last: 99 },
      marker: input.marker,
      backend: input.backend.kind,
      desktopDir,
      pathPrefix: input.prefix,
      skip,
    });
    const run = new DesktopRun(input.dataDir, lease, input.stopGraceMs ?? 5_000);
    const { width, height } = input.size ?? { width: 1280, height: 800 };
    const options = {
      display: lease.display,
      vncPort: lease.vncPort,
      width,
      height,
      authFile: desktopFiles(desktopDir).authFile,
    };
    try {
      return { run, xserver: await startXServer(input, run, options) };
    } catch (error) {
      const log = run.logOf("xserver");
      await run.stop();
      const retry = error instanceof NotReadyError && error.exited && displayTaken(log);
      if (!retry || attempt >= ATTEMPTS) {
        throw new DesktopStartError(
          `X server for display :${lease.display} failed: ${(error as Error).message}`,
          log,
        );
      }
      skip.add(lease.display);
    }
  }
}

/** Starts everything of a desktop; on failure stops what started and frees the reservation. */
export async function launchDesktop(input: LaunchInput): Promise<LaunchedDesktop> {
  const desktopDir = `${input.instanceDir.replace(/\/+$/, "")}/desktop`;
  const files = desktopFiles(desktopDir);
  await Deno.remove(files.logs, { recursive: true }).catch(() => {});
  for (const dir of [files.logs, files.home]) {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  }
  const { run, xserver } = await reserveAndStartX(input, desktopDir);
  const { lease } = run;
  const baseEnv = desktopEnv(lease, input.searchPath);
  const cwd = desktopDir;
  try {
    await run.spawn({
      role: "openbox",
      argv: [input.backend.openbox, "--sm-disable"],
      env: baseEnv,
      cwd,
    });
    const timeout = input.readyTimeoutMs ?? 15_000;
    if (input.backend.websockify) {
      await prepareWebRoot(files.web, input.backend.webDir, input.prefix);
      if (input.alsoAt) {
        const also = normalizePrefix(input.alsoAt);
        await prepareWebRoot(join(files.web, also), input.backend.webDir, also);
      }
      const argv = [
        input.backend.websockify,
        "--web",
        files.web,
        `127.0.0.1:${lease.webPort}`,
        `127.0.0.1:${lease.vncPort}`,
      ];
      const proxy = await run.spawn({ role: "websockify", argv, env: baseEnv, cwd });
      await waitForPort(lease.webPort, proxy.status, "websockify", timeout);
    } else await waitForPort(lease.webPort, xserver.status, "KasmVNC web server", timeout);
    const app = input.app
      ? await run.spawn({
        role: "app",
        argv: input.app.argv,
        // The owner's environment wins, except what ties the app to this desktop.
        env: {
          ...baseEnv,
          ...input.app.env,
          DISPLAY: baseEnv.DISPLAY,
          XAUTHORITY: baseEnv.XAUTHORITY,
          [MARKER_VARIABLE]: input.marker,
        },
        cwd: input.app.cwd,
      })
      : null;
    return { run, xserver, baseEnv, app };
  } catch (error) {
    const role = input.backend.websockify ? "websockify" : "xserver";
    const log = run.logOf(role);
    await run.stop();
    throw new DesktopStartError(
      `Desktop on display :${lease.display} failed: ${(error as Error).message}`,
      log,
    );
  }
}
