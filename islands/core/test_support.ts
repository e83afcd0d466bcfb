/** A complete InstanceDto for tests of the pure client modules. */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";

export function testDto(overrides: Partial<InstanceDto> = {}): InstanceDto {
  return {
    id: 1,
    parent_instance_id: null,
    name: "comfy",
    slug: "comfy",
    base_blueprint: "ComfyUI.sh",
    gpu_ids: "0",
    output_path: "comfy",
    autostart: false,
    persistent_mode: false,
    hostname: null,
    use_custom_hostname: false,
    port: 19001,
    restart_policy: "no",
    python_version: null,
    cuda_version: null,
    torch_version: null,
    status: "stopped",
    status_message: null,
    pid: null,
    exit_code: null,
    exit_signal: null,
    started_at: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    persistent_port: null,
    persistent_display: null,
    urls: { port: null, path: null, custom: null },
    published: { ok: false, reason: "not published: the gateway is off" },
    ...overrides,
  };
}
