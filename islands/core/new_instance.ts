/** The "new instance" row: defaults, names that propose the slug and output path, the body. */
import {
  displayNameProblem,
  hostnameProblem,
  proposeSlug,
  relativePathProblem,
  slugProblem,
  versionProblem,
} from "../../lib/shared/identifiers.ts";
import type { SystemStats } from "../../lib/shared/stats.ts";
import { type EditableValues, VERSION_FIELDS } from "./editable.ts";
import { gpuChoiceProblem, NO_GPU } from "./gpu_choice.ts";
import { idleStopTextProblem, idleStopValue } from "./idle_stop_text.ts";
import type { GpuInfo } from "./types.ts";

/** The new row's values, plus whether the user took over the slug and output path. */
export interface NewInstanceDraft extends EditableValues {
  slug: string;
  slugEdited: boolean;
  outputEdited: boolean;
}

/** The default GPU choice: the GPU with the most free VRAM, CPU only when there is none. */
export function bestGpu(gpus: readonly GpuInfo[], stats: SystemStats | null): string {
  let best: { id: number; free: number } | null = null;
  for (const gpu of gpus) {
    const live = stats?.gpus.find((g) => g.id === gpu.id);
    const free = live ? live.vram.free : gpu.memory_total;
    if (!best || free > best.free) best = { id: gpu.id, free };
  }
  return best ? String(best.id) : NO_GPU;
}

/** A fresh new row. */
export function newInstanceDraft(gpuIds: string, blueprint = ""): NewInstanceDraft {
  return {
    name: "",
    slug: "",
    base_blueprint: blueprint,
    output_path: "",
    gpu_ids: gpuIds,
    autostart: false,
    persistent_mode: false,
    use_custom_hostname: false,
    hostname: "",
    port: null,
    restart_policy: "no",
    python_version: "",
    cuda_version: "",
    torch_version: "",
    idle_stop_minutes: "",
    slugEdited: false,
    outputEdited: false,
  };
}

/** Applies a name: the slug and output path follow it until the user edits them. */
export function withName(draft: NewInstanceDraft, name: string): NewInstanceDraft {
  const slug = draft.slugEdited ? draft.slug : (name.trim() ? proposeSlug(name) : "");
  const output = draft.outputEdited ? draft.output_path : slug;
  return { ...draft, name, slug, output_path: output };
}

/** Applies a slug typed by the user; the output path follows it until edited. */
export function withSlug(draft: NewInstanceDraft, slug: string): NewInstanceDraft {
  return {
    ...draft,
    slug,
    slugEdited: true,
    output_path: draft.outputEdited ? draft.output_path : slug,
  };
}

/** Field → problem for the new row (empty when it can be created). */
export function newInstanceProblems(
  draft: NewInstanceDraft,
  gpuCount: number | null = null,
): Partial<Record<string, string>> {
  const problems: Partial<Record<string, string>> = {};
  const name = displayNameProblem(draft.name);
  if (name) problems.name = name;
  const slug = slugProblem(draft.slug);
  if (slug) problems.slug = slug;
  if (!draft.base_blueprint) problems.base_blueprint = "choose a blueprint";
  const output = relativePathProblem(draft.output_path);
  if (output) problems.output_path = output;
  const gpu = gpuChoiceProblem(draft.gpu_ids, gpuCount);
  if (gpu) problems.gpu_ids = gpu;
  for (const field of VERSION_FIELDS) {
    const version = draft[field] === "" ? null : versionProblem(draft[field]);
    if (version) problems[field] = version;
  }
  const idle = idleStopTextProblem(draft.idle_stop_minutes);
  if (idle) problems.idle_stop_minutes = idle;
  if (draft.use_custom_hostname) {
    const host = hostnameProblem(draft.hostname);
    if (host) problems.hostname = host;
  }
  return problems;
}

/** The `POST /api/instances` body. */
export function createBodyOf(draft: NewInstanceDraft): Record<string, unknown> {
  return {
    name: draft.name,
    slug: draft.slug,
    base_blueprint: draft.base_blueprint,
    output_path: draft.output_path,
    gpu_ids: draft.gpu_ids,
    autostart: draft.autostart,
    persistent_mode: draft.persistent_mode,
    use_custom_hostname: draft.use_custom_hostname,
    hostname: draft.hostname === "" ? null : draft.hostname,
    port: draft.port,
    restart_policy: draft.restart_policy,
    python_version: draft.python_version || null,
    cuda_version: draft.cuda_version || null,
    torch_version: draft.torch_version || null,
    idle_stop_minutes: idleStopValue(draft.idle_stop_minutes),
  };
}
