import type { InstanceLaunchPlan } from "../launch_plan.ts";
import { READOPTED_NOTE } from "./adopt_instance.ts";
import type { OwnerBooks } from "./owner_books.ts";
import type { OwnerContext } from "./owner_context.ts";
import type { LiveProcess } from "./process_port.ts";

/**
 * An app adopted at boot: the stored pid becomes the adopted one, the note says it was
 * re-attached, and a run that was not yet healthy gets its health check again (the plan is
 * rebuilt from the row, with the internal port the app was started with). Returns that plan,
 * or null when the app was already healthy (nothing to wait for).
 */
export async function resumeAdopted<P extends LiveProcess>(
  c: OwnerContext<P>,
  books: OwnerBooks<P>,
  id: number,
  process: P,
): Promise<InstanceLaunchPlan | null> {
  books.update({
    pid: process.pid,
    pidStartTicks: process.startTicks,
    statusMessage: READOPTED_NOTE,
    // A desktop's viewer front lives in AiKore: the re-adopted one listens on a new port.
    ...(process.desktop
      ? { vncDisplay: process.desktop.display, vncPort: process.desktop.webPort }
      : {}),
  });
  const record = c.store.get(id);
  if (!record || record.status === "started") return null;
  try {
    const plan = await c.prepare(record, c.marker(id));
    if (plan.health.kind !== "http" || record.appPort === null) return plan;
    return { ...plan, health: { ...plan.health, port: record.appPort } };
  } catch (error) {
    c.logger.warn("cannot resume the health check of an adopted app", {
      id,
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
}
