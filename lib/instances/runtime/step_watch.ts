import { PathRefused, readPartBeneathSync } from "../../fs/mod.ts";
import type { StepFile } from "../launch_plan.ts";
import type { Run } from "../state_machine.ts";
import type { OwnerContext, WatchHooks } from "./owner_context.ts";
import type { LiveProcess } from "./process_port.ts";

/** How often a starting run's step file is read. */
export const STEP_POLL_MS = 1000;

/** The longest step shown (functions.sh's `aikore_step` writes at most 200 characters). */
const MAX_STEP_CHARS = 200;

/**
 * The step a blueprint says it is at (`aikore_step` in functions.sh writes it), as one line of
 * plain text, or null when there is none. The file is the app's: it is read confined (a planted
 * link or pipe is refused at once), bounded, and stripped of control characters.
 */
export function readStep(file: StepFile): string | null {
  let bytes: Uint8Array | null;
  try {
    bytes = readPartBeneathSync(file.root, file.path, 1024, "head");
  } catch (error) {
    if (error instanceof PathRefused || error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  if (bytes === null) return null;
  const line = new TextDecoder().decode(bytes).split("\n")[0] ?? "";
  const text = line.replace(/\p{Cc}/gu, " ").trim().slice(0, MAX_STEP_CHARS);
  return text === "" ? null : text;
}

/** The step a run was at when it stopped being "starting": read once more, else the last seen. */
export function lastStep(run: Run<unknown>): string | null {
  if (!run.step) return null;
  try {
    run.step.last = readStep(run.step.file) ?? run.step.last;
  } catch {
    // An unreadable file keeps the last step seen.
  }
  return run.step.last;
}

/**
 * While the run is "starting", reads its step file every STEP_POLL_MS and shows a new step as
 * the instance's status message (the dashboard shows it under the badge: "Installing
 * PyTorch"). Ends with the run or once it is no longer starting; the health watch clears the
 * message when the app is healthy.
 */
export function watchSteps<P extends LiveProcess>(
  c: OwnerContext<P>,
  id: number,
  run: Run<P>,
  hooks: WatchHooks,
): void {
  const step = run.step;
  if (!step) return;
  let cancel = () => {};
  const tick = () => {
    if (run.health.signal.aborted || c.store.get(id)?.status !== "starting") return;
    let text: string | null = null;
    try {
      text = readStep(step.file);
    } catch (error) {
      c.logger.warn("could not read the step file", { id, error });
    }
    if (text !== null && text !== step.last) {
      step.last = text;
      hooks.serial(() => {
        if (!hooks.current() || c.store.get(id)?.status !== "starting") return;
        c.store.updateRuntime(id, { statusMessage: text });
      }).catch((error) => c.logger.warn("could not show the step", { id, error }));
    }
    cancel = c.clock.setTimer(tick, STEP_POLL_MS);
  };
  run.health.signal.addEventListener("abort", () => cancel(), { once: true });
  cancel = c.clock.setTimer(tick, STEP_POLL_MS);
}
