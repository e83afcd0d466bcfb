/** Clone and instantiate: ask a name and slug in a dialog, then call the API. */
import {
  displayNameProblem,
  proposeSlug,
  relativePathProblem,
  slugProblem,
} from "../../lib/shared/identifiers.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import { isActive } from "../core/status.ts";
import type { PromptField } from "../core/ui_state.ts";

function nameFields(name: string): PromptField[] {
  return [
    {
      name: "new_name",
      label: "Name",
      value: name,
      problem: (value) => displayNameProblem(value),
    },
    {
      name: "new_slug",
      label: "Slug (folder and URL name)",
      value: proposeSlug(name),
      derive: (values) => proposeSlug(values.new_name ?? ""),
      problem: (value) => slugProblem(value),
      monospace: true,
    },
  ];
}

async function askName(d: Dashboard, title: string, message: string, name: string, label: string) {
  return await d.ui.prompt({ title, message, fields: nameFields(name), confirmLabel: label });
}

/** The clone's own output folder, following its slug until edited. */
function outputField(name: string): PromptField {
  return {
    name: "output_path",
    label: "Output folder (under the outputs folder)",
    value: proposeSlug(name),
    derive: (values) => values.new_slug ?? "",
    problem: (value) => relativePathProblem(value),
    monospace: true,
  };
}

export async function cloneInstance(d: Dashboard, dto: InstanceDto): Promise<void> {
  const running = isActive(dto.status)
    ? ` "${dto.name}" is running: files it writes during the copy may be copied half-written.`
    : "";
  const values = await d.ui.prompt({
    title: `Clone "${dto.name}"`,
    message:
      `Copies the instance folder (environment included) into a new instance. Keep the output folder "${dto.output_path}" to share it with "${dto.name}", or give the clone its own.${running}`,
    fields: [...nameFields(`${dto.name} copy`), outputField(`${dto.name} copy`)],
    confirmLabel: "Clone",
  });
  if (!values) return;
  try {
    const mark = d.store.mark();
    const created = await d.api.post<InstanceDto>(`/api/instances/${dto.id}/copy`, values);
    d.store.applyResponse(created, mark);
    d.ui.toast("success", `Cloning "${dto.name}" into "${created.name}"…`);
  } catch (error) {
    d.ui.toast("error", `Cannot clone "${dto.name}": ${errorText(error)}`);
  }
}

export async function instantiateSatellite(d: Dashboard, dto: InstanceDto): Promise<void> {
  const values = await askName(
    d,
    `New satellite of "${dto.name}"`,
    "A satellite runs this instance's installed app with its own GPUs, port and logs.",
    `${dto.name} satellite`,
    "Create satellite",
  );
  if (!values) return;
  try {
    const mark = d.store.mark();
    const created = await d.api.post<InstanceDto>(`/api/instances/${dto.id}/instantiate`, values);
    d.store.applyResponse(created, mark);
    d.ui.toast("success", `Satellite "${created.name}" created.`);
  } catch (error) {
    d.ui.toast("error", `Cannot create the satellite: ${errorText(error)}`);
  }
}
