/**
 * Per-instance cgroups (v2): a process cannot leave its cgroup by changing its environment,
 * its session or its parent, and the cgroup outlives AiKore, so a fresh AiKore still finds
 * every process of an instance after a kill -9. Only cgroup v2 is used (a pure v2 mount or the
 * "unified" one of a hybrid layout): v1 controllers carry limits that moving processes would
 * escape. Nothing here is used when the hierarchy is read-only (most containers).
 */

/** Where AiKore may create instance cgroups: `<its own cgroup>/aikore`. */
export interface CgroupHome {
  /** The directory holding one sub-directory per instance marker. */
  base: string;
}

/** The cgroup of one instance. */
export interface CgroupScope {
  dir: string;
  /** The file a process writes "0" to in order to enter this cgroup. */
  procsFile: string;
}

/** Finds a writable cgroup v2 hierarchy and creates `<own cgroup>/aikore`; null when none. */
export function locateCgroupHome(
  cgroupRoot = "/sys/fs/cgroup",
  procRoot = "/proc",
): CgroupHome | null {
  // Only a v2 mount has cgroup.controllers at its root.
  const mount = [cgroupRoot, `${cgroupRoot}/unified`].find((dir) =>
    exists(`${dir}/cgroup.controllers`)
  );
  if (mount === undefined) return null;
  const own = ownV2Path(readText(`${procRoot}/self/cgroup`) ?? "");
  // Without a cgroup namespace the host path may not be visible inside a container's mount.
  const ownDir = own !== null && isDirectory(`${mount}${own}`) ? `${mount}${own}` : mount;
  const base = `${ownDir.replace(/\/$/, "")}/aikore`;
  try {
    Deno.mkdirSync(base, { recursive: true });
  } catch {
    return null; // read-only hierarchy (most containers) or no permission
  }
  return canEnter(base) ? { base } : null;
}

/**
 * Whether a child can really move itself into a cgroup under `base` (a directory may be
 * creatable where migrating into it is refused): a throwaway shell enters a probe cgroup the
 * way a leader does, and reports where it ended up.
 */
function canEnter(base: string): boolean {
  const probe = `${base}/.probe-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    Deno.mkdirSync(probe);
    const { success, stdout } = new Deno.Command("/bin/sh", {
      args: ["-c", 'echo 0 >"$0/cgroup.procs" && cat /proc/self/cgroup', probe],
      stdout: "piped",
      stderr: "null",
      clearEnv: true,
    }).outputSync();
    const where = ownV2Path(new TextDecoder().decode(stdout)) ?? "";
    return success && where !== "" && probe.endsWith(where);
  } catch {
    return false;
  } finally {
    removeProbe(probe);
  }
}

/** The probe's shell has exited; the kernel may need a moment to let the cgroup go. */
function removeProbe(probe: string): void {
  const end = performance.now() + 200;
  for (;;) {
    try {
      Deno.removeSync(probe);
      return;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || performance.now() > end) return;
    }
  }
}

/** The v2 path ("0::/a/b") from /proc/self/cgroup text; null when there is no v2 line. */
export function ownV2Path(text: string): string | null {
  for (const line of text.split("\n")) {
    if (line.startsWith("0::")) return line.slice(3) === "/" ? "" : line.slice(3);
  }
  return null;
}

/** The scope of `marker` (created when missing); null when the kernel refuses. */
export function openScope(home: CgroupHome, marker: string, create: boolean): CgroupScope | null {
  const dir = `${home.base}/${marker}`;
  try {
    if (create) Deno.mkdirSync(dir, { recursive: true });
    else if (!isDirectory(dir)) return null;
  } catch {
    return null;
  }
  return { dir, procsFile: `${dir}/cgroup.procs` };
}

/** Pids in the scope, its sub-cgroups included (an app may create its own). */
export function scopePids(scope: CgroupScope): number[] {
  const pids: number[] = [];
  const visit = (dir: string, depth: number) => {
    const text = readText(`${dir}/cgroup.procs`) ?? "";
    for (const line of text.split("\n")) if (/^\d+$/.test(line)) pids.push(Number(line));
    if (depth > 8) return;
    for (const sub of subDirectories(dir)) visit(`${dir}/${sub}`, depth + 1);
  };
  visit(scope.dir, 0);
  return pids;
}

/**
 * SIGKILLs everything in the scope at once with cgroup.kill (Linux 5.14+), which also reaches
 * a process forking at that moment. False when the file is missing, so the caller kills by
 * pid. Refused (false) when AiKore itself is inside, which a misconfiguration could cause.
 */
export function killScope(scope: CgroupScope): boolean {
  if (scopePids(scope).includes(Deno.pid)) return false;
  try {
    Deno.writeTextFileSync(`${scope.dir}/cgroup.kill`, "1");
    return true;
  } catch {
    return false;
  }
}

/** Removes the scope (and sub-cgroups) when no process is left; true when it is gone. */
export function removeScope(scope: CgroupScope): boolean {
  const remove = (dir: string): boolean => {
    for (const sub of subDirectories(dir)) remove(`${dir}/${sub}`);
    try {
      Deno.removeSync(dir);
      return true;
    } catch (error) {
      return error instanceof Deno.errors.NotFound;
    }
  };
  return remove(scope.dir);
}

/** Markers with a scope under `home` whose name starts with `prefix` (a previous life's). */
export function listScopeMarkers(home: CgroupHome, prefix: string): string[] {
  return subDirectories(home.base).filter((name) => name.startsWith(prefix));
}

function subDirectories(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name);
  } catch {
    return [];
  }
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
