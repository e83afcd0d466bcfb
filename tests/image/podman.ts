/**
 * Runs podman the way these machines need it (runc, small rlimits) against a storage of its own
 * under the image cache, so that built layers survive between runs and nothing else on the
 * machine shares or prunes them.
 */

/** Where the base rootfs and the layer storage are kept between runs on one machine. */
export const IMAGE_CACHE = Deno.env.get("AIKORE_IMAGE_CACHE") ?? "/var/cache/aikore-image";
/** podman keeps a storage's run state in one folder for good (it refuses another later). */
const RUN_STATE = IMAGE_CACHE === "/var/cache/aikore-image"
  ? "/run/aikore-image/storage"
  : `/run/aikore-image${IMAGE_CACHE}/storage`;

/** crun fails on a hybrid cgroup layout and larger rlimits are refused in these containers. */
export const RUN_LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000"];

/** Storage of its own under the cache; runc as the OCI runtime. */
export const GLOBAL_FLAGS = [
  "--root",
  `${IMAGE_CACHE}/storage`,
  "--runroot",
  RUN_STATE,
  "--runtime",
  "runc",
];

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `podman <args>` with the shared flags; never throws for a non-zero exit. */
export async function podman(args: string[], stdin?: string): Promise<CommandResult> {
  const child = new Deno.Command("podman", {
    args: [...GLOBAL_FLAGS, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** `podman <args>`; throws with podman's own message when it fails. Returns stdout. */
export async function podmanOk(args: string[], stdin?: string): Promise<string> {
  const result = await podman(args, stdin);
  if (result.code !== 0) {
    throw new Error(
      `podman ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** Runs a build-style command with its output streamed to the test log; throws on failure. */
export async function podmanStreamed(args: string[]): Promise<void> {
  const status = await new Deno.Command("podman", {
    args: [...GLOBAL_FLAGS, ...args],
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!status.success) throw new Error(`podman ${args.join(" ")} exited ${status.code}`);
}

/**
 * Why podman cannot run containers here, or null when it can. Only a missing program, a
 * missing runtime or a podman that cannot even report its host counts: anything that fails
 * later is a real failure of the image.
 */
export async function podmanUnavailable(): Promise<string | null> {
  for (const program of ["podman", "runc"]) {
    const found = await new Deno.Command("/bin/sh", {
      args: ["-c", `command -v ${program} || test -x /usr/sbin/${program}`],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!found.success) return `${program} is not installed (.ci/run installs podman and runc)`;
  }
  if (Deno.uid() !== 0) return "the image test runs rootful podman and needs root";
  const info = await podman(["info", "--format", "{{.Host.OCIRuntime.Name}}"]).catch(
    (error: Error) => ({ code: 1, stdout: "", stderr: error.message }),
  );
  if (info.code !== 0) return `podman cannot run here: ${info.stderr.trim()}`;
  return null;
}
