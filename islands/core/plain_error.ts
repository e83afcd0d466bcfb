/** API error texts in the dashboard's words: "Invalid gpu_ids: …" → "GPUs: …". */

const FIELD_WORDS: Record<string, string> = {
  name: "Name",
  new_name: "Name",
  slug: "Slug",
  new_slug: "Slug",
  base_blueprint: "Blueprint",
  gpu_ids: "GPUs",
  output_path: "Output folder",
  hostname: "Custom address",
  port: "Port",
  restart_policy: "Restart policy",
  python_version: "Python version",
  cuda_version: "CUDA version",
  torch_version: "Torch version",
  idle_stop_minutes: "Idle stop",
  content: "Script",
  filename: "File name",
};

/** Rewrites the "Invalid <field>:" prefix of a server message with the field's label. */
export function plainError(message: string): string {
  return message.replace(/\bInvalid ([a-z_]+): /g, (whole, field: string) => {
    const word = FIELD_WORDS[field];
    return word ? `${word}: ` : whole;
  }).replace(/\(([a-z_]+): /g, (whole, field: string) => {
    const word = FIELD_WORDS[field];
    return word ? `(${word}: ` : whole;
  });
}
