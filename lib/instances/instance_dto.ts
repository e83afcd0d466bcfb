import type { InstanceRecord } from "../db/mod.ts";
import type { InstanceDto } from "../shared/instance_schema.ts";

/** How the browser reached the dashboard; instance URLs are built from it. */
export interface UrlContext {
  protocol: "http:" | "https:";
  /** Host name without port (IPv6 in brackets). */
  hostname: string;
}

/** Whether and how the gateway publishes an instance. */
export interface Publication {
  ok: boolean;
  reason: string | null;
  portRoute: boolean;
  pathRoute: boolean;
}

/** Converts a record to the API shape (field names compatible with the Python AiKore). */
export function toInstanceDto(
  record: InstanceRecord,
  url: UrlContext | null,
  publication: Publication,
  /** What the failed run asks, only for a failed run. */
  failure?: {
    /** The last lines of the current run's log. */
    lastOutput: () => string[] | null;
    /** What changed in its environment since the last run that worked. */
    environmentChanges: () => string[] | null;
  },
): InstanceDto {
  const failed = failure && (record.status === "exited" || record.status === "error");
  const portUrl = url && record.port !== null && publication.portRoute
    ? `${url.protocol}//${url.hostname}:${record.port}/`
    : null;
  const pathUrl = publication.pathRoute ? `/instance/${record.slug}/` : null;
  const customUrl = record.useCustomHostname && record.hostname
    ? `${url?.protocol ?? "http:"}//${record.hostname}/`
    : null;
  return {
    id: record.id,
    parent_instance_id: record.parentId,
    name: record.name,
    slug: record.slug,
    base_blueprint: record.blueprint,
    gpu_ids: record.gpuIds === "" ? null : record.gpuIds,
    output_path: record.outputPath,
    autostart: record.autostart,
    persistent_mode: record.persistentMode,
    hostname: record.hostname,
    use_custom_hostname: record.useCustomHostname,
    port: record.port,
    restart_policy: record.restartPolicy,
    python_version: record.pythonVersion,
    cuda_version: record.cudaVersion,
    torch_version: record.torchVersion,
    idle_stop_minutes: record.idleStopMinutes ?? null,
    status: record.status,
    status_message: record.invalidReason
      ? `Invalid stored value: ${record.invalidReason}`
      : record.statusMessage,
    pid: record.pid,
    exit_code: record.exitCode,
    exit_signal: record.exitSignal,
    started_at: record.startedAt,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    persistent_port: record.persistentMode ? record.port : null,
    persistent_display: record.vncDisplay,
    urls: { port: portUrl, path: pathUrl, custom: customUrl },
    published: { ok: publication.ok, reason: publication.reason },
    last_output: failed ? failure.lastOutput() : null,
    environment_changes: failed ? failure.environmentChanges() : null,
  };
}

/** Reads the URL context from a request URL and its Host header. */
export function urlContextOf(
  requestUrl: string,
  host: string | undefined,
  forwardedProto?: string,
): UrlContext {
  const url = new URL(requestUrl);
  const protocol = forwardedProto === "https" || url.protocol === "https:" ? "https:" : "http:";
  const hostHeader = host ?? url.host;
  const hostname = hostHeader.startsWith("[")
    ? hostHeader.slice(0, hostHeader.indexOf("]") + 1)
    : hostHeader.split(":")[0] ?? url.hostname;
  return { protocol, hostname };
}
