import {
  adoptDesktop,
  type DesktopHandle,
  findDesktops,
  startDesktop,
  startViewerFront,
  sweepDesktops,
  type ViewerFront,
} from "../../desktop/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { DomainError } from "../../shared/domain_error.ts";
import type { DesktopSetup } from "./desktop_setup.ts";
import type { InstanceProcess } from "./instance_process.ts";
import type { ProcessPort } from "./process_port.ts";

/**
 * The marker of an instance's desktop (X server, window manager, proxy, kiosk browser). It
 * differs from the app's, so stopping the app's tree and stopping the desktop stay two steps
 * the port orders itself, and the boot sweep of desktops never touches an app.
 */
export function desktopMarker(marker: string): string {
  return `${marker}:desktop`;
}

/** A desktop bound to the app that runs on it. */
interface Binding {
  handle: DesktopHandle;
  /** noVNC's files served from AiKore, the WebSocket relayed to websockify. */
  front: ViewerFront;
  /** The kiosk browser was opened (or outlived a restart with the desktop). */
  shown: boolean;
  /** The desktop is being ended on purpose: its end is no crash. */
  ending: boolean;
  /** Why the app was stopped: its X server died. */
  crash: string | null;
}

const delay = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms));
const messageOf = (error: unknown) => error instanceof Error ? error.message : String(error);

/**
 * Wraps the process layer for persistent mode: a plan with `desktop` first gets its own
 * virtual desktop (display and ports reserved), then the app runs through `inner` with
 * DISPLAY/XAUTHORITY like any instance process (holder, log, console, GPUs); a healthy web app
 * gets a kiosk browser; stop and release end the desktop after the app. An X server crash stops
 * the app and says why. Adoption re-attaches a desktop whose app was re-adopted; every other
 * desktop of the instance is swept.
 */
export function desktopProcessPort(
  inner: ProcessPort<InstanceProcess>,
  setup: DesktopSetup,
  logger: Logger,
  stopGraceMs: number,
): ProcessPort<InstanceProcess> {
  const bindings = new WeakMap<InstanceProcess, Binding>();

  const bind = (
    process: InstanceProcess,
    handle: DesktopHandle,
    shown: boolean,
    marker: string,
  ) => {
    // KasmVNC serves its own client fast (no fork per request): only websockify gets a front.
    const front: ViewerFront = handle.backend === "tigervnc"
      ? startViewerFront({
        webRoot: handle.webRoot,
        wsPort: handle.webPort,
        onError: (error) =>
          logger.warn("desktop viewer front", { marker, error: messageOf(error) }),
      })
      : { port: handle.webPort, close: () => Promise.resolve() };
    const binding: Binding = { handle, front, shown, ending: false, crash: null };
    bindings.set(process, binding);
    process.desktop = { display: handle.display, webPort: front.port };
    process.exitNote = () => binding.crash;
    handle.exited.then(async (end) => {
      if (end.reason !== "crashed" || binding.ending) return;
      binding.crash = end.message;
      logger.warn("a desktop's X server died; stopping its app", {
        marker,
        display: handle.display,
      });
      await inner.stopTree(process, marker, stopGraceMs);
    }).catch((error) => logger.error("desktop crash handling failed", { marker, error }));
  };

  const endDesktop = async (process: InstanceProcess) => {
    const binding = bindings.get(process);
    if (!binding) return;
    if (!binding.ending && binding.crash === null) {
      // The app ended by itself: maybe because its X server just died (it cannot run
      // without it). That end, if it is already known, is the reason to show.
      const early = await Promise.race([binding.handle.exited, delay(100)]);
      if (early?.reason === "crashed") binding.crash = early.message;
    }
    binding.ending = true;
    await binding.front.close();
    await binding.handle.stop();
  };

  const sweepOf = (marker: string) =>
    sweepDesktops(setup.dataDir, {
      keep: (lease) => lease.marker !== desktopMarker(marker),
      graceMs: stopGraceMs,
    });

  return {
    ...inner,
    async spawn(plan) {
      if (!plan.desktop) return await inner.spawn(plan);
      if (!setup.backend) {
        throw new DomainError("unavailable", `Desktop mode cannot run: ${setup.reason}`);
      }
      const handle = await startDesktop({
        choice: setup.choice,
        dataDir: setup.dataDir,
        instanceDir: plan.desktop.instanceDir,
        marker: desktopMarker(plan.marker),
        alsoAt: `/instance/${plan.desktop.slug}/`,
        stopGraceMs,
      });
      let process: InstanceProcess;
      try {
        process = await inner.spawn({ ...plan, env: { ...plan.env, ...handle.env } });
      } catch (error) {
        await handle.stop().catch((e) => logger.error("could not end a desktop", { error: e }));
        throw error;
      }
      bind(process, handle, false, plan.marker);
      return process;
    },
    async waitHealthy(process, plan, signal) {
      const result = await inner.waitHealthy(process, plan, signal);
      const binding = bindings.get(process);
      if (result === "healthy" && binding && !binding.shown && plan.health.kind === "http") {
        binding.shown = true;
        // The app is up either way: a browser that cannot open is logged, not a failed start.
        await binding.handle.showApp(`http://127.0.0.1:${plan.health.port}/`).catch((error) =>
          logger.warn("could not open the app in its desktop", { error: messageOf(error) })
        );
      }
      return result;
    },
    async stopTree(process, marker, graceMs) {
      const binding = bindings.get(process);
      if (binding) binding.ending = true;
      await inner.stopTree(process, marker, graceMs);
      await endDesktop(process);
    },
    async sweep(marker, stored, graceMs) {
      await inner.sweep(marker, stored, graceMs);
      await sweepOf(marker);
    },
    async release(process) {
      await inner.release(process);
      await endDesktop(process);
    },
    async adopt(marker) {
      const adoption = inner.adopt ? await inner.adopt(marker) : { kind: "none" as const };
      if (adoption.kind !== "running") {
        await sweepOf(marker);
        return adoption;
      }
      const found = (await findDesktops(setup.dataDir)).find((d) =>
        d.lease.marker === desktopMarker(marker) && d.xserverAlive && !d.claimantAlive
      );
      if (!found) return adoption; // not a desktop run, or its desktop is gone (boot sweep)
      try {
        const handle = await adoptDesktop(setup.dataDir, found.lease.display, {
          marker: desktopMarker(marker),
          stopGraceMs,
        });
        const shown = found.lease.processes.some((p) => p.role === "browser");
        bind(adoption.process, handle, shown, marker);
      } catch (error) {
        // The app keeps running; its desktop is left to the boot sweep.
        logger.warn("could not adopt a desktop", { marker, error: messageOf(error) });
      }
      return adoption;
    },
    async detach(process) {
      const binding = bindings.get(process);
      // AiKore leaves; the desktop stays with its app and the next AiKore adopts both.
      if (binding) {
        binding.ending = true;
        await binding.front.close();
      }
      return inner.detach ? await inner.detach(process) : false;
    },
  };
}
