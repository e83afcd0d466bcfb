/** Deleting an instance: trash or permanent, the real refusal shown, trash overwrite asked. */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import type { TerminalInfo } from "../../lib/shared/terminal_list.ts";
import { closedTerminalsText } from "../core/closed_terminals.ts";
import { ApiError, errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";

async function send(d: Dashboard, dto: InstanceDto, mode: string, overwrite: boolean) {
  await d.api.del(`/api/instances/${dto.id}`, { mode, overwrite });
  d.store.applyRemoved(dto.id);
  d.tools.forgetInstance(dto.id);
  // The server ended its shells with it: only their tabs are left to close.
  for (const tab of d.tools.terminals.value.filter((t) => t.instanceId === dto.id)) {
    d.tools.removeTerminal(tab.id);
  }
  d.ui.toast(
    "success",
    mode === "trash" ? `"${dto.name}" moved to the trash.` : `"${dto.name}" deleted permanently.`,
  );
}

/**
 * What deleting does to the instance's open terminals, in words (their shells end with it, and a
 * job running in one with them), or null when it has none or they cannot be listed.
 */
async function terminalsNote(d: Dashboard, dto: InstanceDto): Promise<string | null> {
  const terminals = await d.api.get<{ terminals: TerminalInfo[] }>(
    `/api/instances/${dto.id}/terminals`,
  ).then((body) => body.terminals, () => null);
  return terminals === null ? null : closedTerminalsText(terminals);
}

/** Asks how to delete, then deletes; a trash name conflict offers to overwrite. */
export async function deleteInstance(d: Dashboard, dto: InstanceDto): Promise<void> {
  const terminals = await terminalsNote(d, dto);
  const mode = await d.ui.choose({
    title: `Delete "${dto.name}"?`,
    message: (
      <>
        <p>
          Move it to the trash (restorable from the Trash view) or delete its folder for good.
        </p>
        {terminals && <p data-delete-terminals>{terminals}</p>}
        <p class="muted">Outputs in "{dto.output_path}" are never deleted.</p>
      </>
    ),
    choices: [
      { id: "trash", label: "Move to trash", tone: "primary" },
      { id: "permanent", label: "Delete permanently", tone: "danger" },
    ],
  });
  if (!mode) return;
  // Nothing brings a permanently deleted folder back: a second, explicit step.
  if (mode === "permanent") {
    const sure = await d.ui.confirm({
      title: `Delete "${dto.name}" for good?`,
      message: `Its folder (environment, script, logs) is removed and cannot be restored. ` +
        `Outputs in "${dto.output_path}" stay.`,
      confirmLabel: `Delete "${dto.name}" permanently`,
      danger: true,
    });
    if (!sure) return;
  }
  try {
    await send(d, dto, mode, false);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "trash_conflict")) {
      d.ui.toast("error", `Cannot delete "${dto.name}": ${errorText(error)}`);
      return;
    }
    const overwrite = await d.ui.confirm({
      title: "Overwrite the trash entry?",
      message: error.message,
      confirmLabel: "Overwrite",
      danger: true,
    });
    if (!overwrite) return;
    try {
      await send(d, dto, mode, true);
    } catch (again) {
      d.ui.toast("error", `Cannot delete "${dto.name}": ${errorText(again)}`);
    }
  }
}
