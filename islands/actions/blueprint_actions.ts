/** Saving a script as a custom blueprint (file name asked; overwrite confirmed on 409). */
import { blueprintFileProblem } from "../../lib/shared/identifiers.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { ApiError, errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import type { BlueprintList } from "../core/types.ts";

function withSh(name: string): string {
  return name.endsWith(".sh") ? name : `${name}.sh`;
}

/** Asks a file name and saves `content` as a custom blueprint. */
export async function saveAsCustomBlueprint(
  d: Dashboard,
  dto: InstanceDto,
  content: string,
): Promise<void> {
  const values = await d.ui.prompt({
    title: "Save as custom blueprint",
    message: "New instances can then be created from it (custom blueprints).",
    confirmLabel: "Save blueprint",
    fields: [{
      name: "filename",
      label: "File name",
      value: `${dto.base_blueprint.replace(/\.sh$/, "")}_custom.sh`,
      placeholder: "my-custom-comfy.sh",
      monospace: true,
      problem: (value) => blueprintFileProblem(withSh(value.trim())),
    }],
  });
  if (!values) return;
  const filename = withSh((values.filename ?? "").trim());
  const save = (overwrite: boolean) =>
    d.api.post("/api/system/blueprints/custom", { filename, content, overwrite });
  try {
    try {
      await save(false);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
      const ok = await d.ui.confirm({
        title: "Overwrite the blueprint?",
        message: error.message,
        confirmLabel: "Overwrite",
        danger: true,
      });
      if (!ok) return;
      await save(true);
    }
    d.store.blueprints.value = await d.api.get<BlueprintList>("/api/system/blueprints");
    d.ui.toast("success", `Blueprint "${filename}" saved.`);
  } catch (error) {
    d.ui.toast("error", `Cannot save the blueprint: ${errorText(error)}`);
  }
}
