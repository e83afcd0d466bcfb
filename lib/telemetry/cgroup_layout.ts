import { parseCgroupPaths } from "./proc_parse.ts";
import { isDirectory, readText } from "../procfs/mod.ts";

/** Where this process's cgroup files are: v2's directory and its ancestors, or v1's directory per controller. */
export type CgroupLayout =
  | { version: "v2"; chain: string[] }
  | { version: "v1"; dirs: CgroupV1Dirs }
  | null;

/** v1 directories per controller; null when the controller is not mounted. */
export interface CgroupV1Dirs {
  memory: string | null;
  cpu: string | null;
  cpuacct: string | null;
  cpuset: string | null;
}

/** Resolves the process's cgroup from /proc/self/cgroup; null when no cgroup file system is mounted. */
export function resolveCgroupLayout(cgroupRoot: string, procRoot: string): CgroupLayout {
  const paths = parseCgroupPaths(readText(`${procRoot}/self/cgroup`) ?? "");
  if (readText(`${cgroupRoot}/cgroup.controllers`) !== null) {
    return { version: "v2", chain: chain(cgroupRoot, paths.unified ?? "/") };
  }
  if (readText(`${cgroupRoot}/memory/memory.limit_in_bytes`) === null) return null;
  const dir = (names: string[], controller: string) =>
    v1Dir(cgroupRoot, names, paths.controllers.get(controller) ?? "/");
  return {
    version: "v1",
    dirs: {
      memory: dir(["memory"], "memory"),
      cpu: dir(["cpu", "cpu,cpuacct", "cpuacct,cpu"], "cpu"),
      cpuacct: dir(["cpuacct", "cpu,cpuacct", "cpuacct,cpu"], "cpuacct"),
      cpuset: dir(["cpuset"], "cpuset"),
    },
  };
}

/** The process's cgroup directory when visible, else the mount root (a cgroup namespace). */
function v1Dir(cgroupRoot: string, names: string[], path: string): string | null {
  for (const name of names) {
    const mount = `${cgroupRoot}/${name}`;
    for (const dir of [join(mount, path), mount]) {
      if (isDirectory(dir)) return dir;
    }
  }
  return null;
}

/** The cgroup directory and its ancestors up to the mount root, nearest first. */
function chain(mount: string, path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  const dirs: string[] = [];
  for (let depth = parts.length; depth >= 0; depth--) {
    dirs.push(join(mount, "/" + parts.slice(0, depth).join("/")));
  }
  // Without a cgroup namespace the host path may not exist inside a container's mount.
  return dirs.filter((dir) => dir === mount || isDirectory(dir));
}

function join(root: string, path: string): string {
  return path === "/" || path === "" ? root : `${root}${path.startsWith("/") ? "" : "/"}${path}`;
}
