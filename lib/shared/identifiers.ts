/**
 * Rules for every identifier and value that can reach a path, an argv, an env var or the
 * NGINX config. Pure functions returning a reason string (invalid) or null (valid), so the
 * same rules serve zod schemas, the database reader and the browser.
 */

/** Slugs that would collide with AiKore's own paths. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  "api",
  "static",
  "build",
  "assets",
  "instance",
  "instances",
  "login",
  "logout",
  "setup",
  "healthz",
  "trash",
  "events",
  "new",
  "_aikore",
  "aikore",
  "ws",
  "vnc",
]);

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOSTNAME_RE =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const VERSION_RE = /^\d{1,4}\.\d{1,4}(?:\.\d{1,4})?$/;
const BLUEPRINT_FILE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\.sh$/;
const PATH_SEGMENT_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const GPU_UUID_RE = /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// deno-lint-ignore no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Most GPU indices accepted when the real GPU count is unknown (no NVML). */
export const MAX_GPU_INDEX_WITHOUT_NVML = 15;

/** Why `slug` is not a valid instance slug, or null. */
export function slugProblem(slug: string): string | null {
  if (slug.length === 0) return "must not be empty";
  if (slug.length > 63) return "must be at most 63 characters";
  if (!SLUG_RE.test(slug)) {
    return "must use only a-z, 0-9 and '-', and start and end with a letter or digit";
  }
  if (RESERVED_SLUGS.has(slug)) return `"${slug}" is reserved`;
  return null;
}

/** A slug proposal for a display name (never used silently: the caller shows it). */
export function proposeSlug(name: string): string {
  const base = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  const slug = base || "instance";
  return RESERVED_SLUGS.has(slug) ? `${slug}-1` : slug;
}

/** Why `name` is not a valid display name, or null. */
export function displayNameProblem(name: string): string | null {
  if (name.trim().length === 0) return "must not be empty";
  if (name !== name.trim()) return "must not start or end with spaces";
  if ([...name].length > 64) return "must be at most 64 characters";
  if (CONTROL_RE.test(name)) return "must not contain control or direction characters";
  return null;
}

/** Why `hostname` is not a valid custom host name, or null. */
export function hostnameProblem(hostname: string): string | null {
  if (!HOSTNAME_RE.test(hostname)) {
    return "must be a lower-case DNS name (letters, digits, '-' and '.')";
  }
  return null;
}

/** Why `version` is not a valid version string such as 3.12 or 2.5.1, or null. */
export function versionProblem(version: string): string | null {
  return VERSION_RE.test(version) ? null : "must look like 3.12 or 2.5.1";
}

/** Why `file` is not a valid blueprint file name, or null. */
export function blueprintFileProblem(file: string): string | null {
  if (!BLUEPRINT_FILE_RE.test(file) || file.includes("..")) {
    return "must be a file name like My_App.sh (letters, digits, '_', '-', '.')";
  }
  return null;
}

/** Why `path` is not a valid relative output path, or null. */
export function relativePathProblem(path: string): string | null {
  if (path.length === 0) return "must not be empty";
  if (path.length > 200) return "must be at most 200 characters";
  if (path.startsWith("/")) return "must be relative to the outputs folder";
  const segments = path.split("/");
  if (segments.length > 8) return "must have at most 8 folders";
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === "..") {
      return "must not contain empty, '.' or '..' segments";
    }
    if (!PATH_SEGMENT_RE.test(segment)) {
      return `segment "${segment}" may use only letters, digits, '_', '-' and '.'`;
    }
  }
  return null;
}

/** Why `port` is not a usable TCP port for AiKore to allocate, or null. */
export function portProblem(port: number): string | null {
  if (!Number.isInteger(port)) return "must be a whole number";
  if (port < 1024 || port > 65535) return "must be in 1024-65535";
  return null;
}

/** The stored GPU selection of a CPU-only instance (the app sees no GPU). */
export const NO_GPU = "none";

/**
 * Normalizes a GPU selection: "" (all GPUs), "all" → "", "none" (CPU only), or a comma list
 * of distinct indices below `gpuCount` (or GPU UUIDs). Returns the normalized text or a problem.
 */
export function parseGpuIds(
  text: string,
  gpuCount: number | null,
): { ok: true; value: string } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "all") return { ok: true, value: "" };
  if (trimmed === NO_GPU) return { ok: true, value: NO_GPU };
  const parts = trimmed.split(",");
  const seen = new Set<string>();
  const limit = gpuCount ?? MAX_GPU_INDEX_WITHOUT_NVML + 1;
  for (const part of parts) {
    if (GPU_UUID_RE.test(part)) {
      if (seen.has(part)) return { ok: false, reason: `GPU ${part} is listed twice` };
      seen.add(part);
      continue;
    }
    if (!/^\d{1,3}$/.test(part)) {
      return { ok: false, reason: `"${part}" is not a GPU index or UUID (use 0,1, all or none)` };
    }
    const index = Number(part);
    if (index >= limit) {
      return {
        ok: false,
        reason: gpuCount === null
          ? `GPU ${index} is out of range`
          : `GPU ${index} does not exist (this machine has ${gpuCount})`,
      };
    }
    if (seen.has(String(index))) return { ok: false, reason: `GPU ${index} is listed twice` };
    seen.add(String(index));
  }
  return { ok: true, value: [...seen].join(",") };
}

/**
 * The CUDA_VISIBLE_DEVICES an instance gets for its stored GPU selection: unset (null) for
 * every GPU, the empty string for CPU only (CUDA then sees no device), else the list.
 */
export function cudaVisibleDevicesOf(gpuIds: string): string | null {
  if (gpuIds === "") return null;
  return gpuIds === NO_GPU ? "" : gpuIds;
}
