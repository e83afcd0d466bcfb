/** Clone and instantiate: ask a name and slug in a dialog, then call the API. */
import { displayNameProblem, proposeSlug, slugProblem } from "../../lib/shared/identifiers.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
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

export async function cloneInstance(d: Dashboard, dto: InstanceDto): Promise<void> {
  const values = await askName(
    d,
    `Clone "${dto.name}"`,
    "Copies the instance folder (environment included) into a new instance.",
    `${dto.name} copy`,
    "Clone",
  );
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
