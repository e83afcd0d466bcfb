/** Start, stop and rebuild, with toasts for the outcome. */
import { describeSharedGpu, sharedGpusFor } from "../../lib/shared/gpu_sharing.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import { isActive } from "../core/status.ts";
import { workInProgress } from "../core/work_in_progress.ts";

/**
 * Whether to start `targets` on GPUs that are busy: another running instance (or another of the
 * targets) is pinned to one, or one is short of memory. A CUDA out-of-memory error ends whichever
 * run asks next, a long training included, so the user decides knowing it. True at once when
 * nothing is shared.
 */
export async function startOnBusyGpus(d: Dashboard, targets: InstanceDto[]): Promise<boolean> {
  const starting = new Set(targets.map((t) => t.id));
  const instances = [...d.store.rows.peek().values()].map((row) => {
    const dto = row.dto.peek();
    return starting.has(dto.id) ? { ...dto, status: "starting" as const } : dto;
  });
  const gpus = d.store.stats.peek()?.gpus ?? [];
  const lines = targets.flatMap((target) =>
    sharedGpusFor(target, instances, gpus).map((gpu) =>
      `${targets.length > 1 ? `"${target.name}": ` : ""}${describeSharedGpu(gpu)}`
    )
  );
  if (lines.length === 0) return true;
  const what = targets.length === 1 ? `"${targets[0]?.name}"` : `${targets.length} instances`;
  return await d.ui.confirm({
    title: `Start ${what} on a busy GPU?`,
    message: (
      <>
        <ul data-shared-gpus>
          {lines.map((line) => <li key={line}>{line}</li>)}
        </ul>
        <p>
          If the GPU runs out of memory, whichever app asks for more next fails: a running job there
          may be lost. Choose other GPUs for it in its row, or start it anyway.
        </p>
      </>
    ),
    confirmLabel: "Start anyway",
  });
}

export async function startInstance(d: Dashboard, dto: InstanceDto): Promise<void> {
  if (!await startOnBusyGpus(d, [dto])) return;
  try {
    const mark = d.store.mark();
    d.store.applyResponse(await d.api.post<InstanceDto>(`/api/instances/${dto.id}/start`), mark);
  } catch (error) {
    d.ui.toast("error", `Cannot start "${dto.name}": ${errorText(error)}`);
  }
}

/**
 * Whether to stop `targets` while some of them work (their processes keep a CPU busy, or a GPU of
 * theirs computes, by the latest figures): a stop ends the work, and what it has not saved is
 * lost, so a misplaced click must not end a week-long training. True at once when none works.
 */
export async function stopWhileWorking(d: Dashboard, targets: InstanceDto[]): Promise<boolean> {
  const stats = d.store.stats.peek();
  const lines = targets.flatMap((target) => {
    const said = workInProgress(stats, target);
    if (said === null) return [];
    return [
      targets.length > 1 ? `"${target.name}": ${said}` : said[0]?.toUpperCase() + said.slice(1),
    ];
  });
  if (lines.length === 0) return true;
  const what = targets.length === 1 ? `"${targets[0]?.name}"` : `${targets.length} instances`;
  return await d.ui.confirm({
    title: targets.length === 1
      ? `Stop ${what} while it works?`
      : `Stop ${what} while ${lines.length === 1 ? "one works" : `${lines.length} work`}?`,
    message: (
      <>
        <ul data-working-apps>
          {lines.map((line) => <li key={line}>{line}</li>)}
        </ul>
        <p>
          Stopping ends {lines.length === 1 ? "its" : "their"}{" "}
          processes: what they have not saved is lost (a training since its last checkpoint, the
          rest of a batch).
        </p>
      </>
    ),
    confirmLabel: "Stop anyway",
    danger: true, // Enter keeps it running: Cancel has the focus
  });
}

export async function stopInstance(d: Dashboard, dto: InstanceDto): Promise<void> {
  if (!await stopWhileWorking(d, [dto])) return;
  try {
    const mark = d.store.mark();
    d.store.applyResponse(await d.api.post<InstanceDto>(`/api/instances/${dto.id}/stop`), mark);
    d.ui.toast("success", `"${dto.name}" stopped.`);
  } catch (error) {
    d.ui.toast("error", `Cannot stop "${dto.name}": ${errorText(error)}`);
  }
}

export async function rebuildInstance(d: Dashboard, dto: InstanceDto): Promise<void> {
  const running = isActive(dto.status);
  const working = running ? workInProgress(d.store.stats.peek(), dto) : null;
  const ok = await d.ui.confirm({
    title: `Rebuild the environment of "${dto.name}"?`,
    message: running
      ? "The instance is running: it is stopped now, and its environment is rebuilt as it starts again." +
        (working ? ` It works now (${working}): what it has not saved is lost.` : "")
      : "The environment is rebuilt the next time the instance starts.",
    confirmLabel: running ? "Rebuild and restart" : "Rebuild at next start",
  });
  if (!ok) return;
  try {
    const mark = d.store.mark();
    const result = await d.api.post<{ detail: string; instance: InstanceDto }>(
      `/api/instances/${dto.id}/rebuild`,
    );
    d.store.applyResponse(result.instance, mark);
    d.ui.toast("success", `"${dto.name}": ${result.detail}.`);
  } catch (error) {
    d.ui.toast("error", `Cannot rebuild "${dto.name}": ${errorText(error)}`);
  }
}
