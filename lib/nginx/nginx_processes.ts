/** A live process that belongs to a managed NGINX (a master or one of its workers). */
export interface NginxProcess {
  pid: number;
  pgrp: number;
  cmdline: string;
}

async function readProcess(pid: number): Promise<NginxProcess | null> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the command name: state ppid pgrp ...; the name may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).replaceAll("\0", " ").trim();
    if (fields[0] === "Z") return null;
    return { pid, pgrp: Number(fields[2]), cmdline };
  } catch {
    return null;
  }
}

async function allProcesses(): Promise<NginxProcess[]> {
  const found: NginxProcess[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const process = await readProcess(Number(entry.name));
    if (process) found.push(process);
  }
  return found;
}

/** Whether `process` has a file under `prefix` open (a worker keeps its master's error log). */
async function holdsFileUnder(process: NginxProcess, prefix: string): Promise<boolean> {
  try {
    for await (const entry of Deno.readDir(`/proc/${process.pid}/fd`)) {
      const target = await Deno.readLink(`/proc/${process.pid}/fd/${entry.name}`).catch(() => "");
      if (target.startsWith(`${prefix}/`)) return true;
    }
  } catch {
    // Gone, or not ours to inspect: then it is not proven ours either.
  }
  return false;
}

/** Whether `process` is a master started with `-p <prefix>/`. */
function isMasterOf(process: NginxProcess, prefix: string): boolean {
  return process.cmdline.startsWith("nginx: master process") &&
    process.cmdline.includes(` -p ${prefix}/ `);
}

/**
 * NGINX processes of the instance rooted at `prefix`: masters started with `-p <prefix>/` and
 * the `nginx: …` processes of their groups, plus those in group `extraGroup` (the pid in a
 * stale pid file: orphaned workers keep the dead master's group) that prove they are ours
 * (a `-p <prefix>/` command line, or a file under the prefix open). A pid file naming another
 * program's nginx therefore never gets it signalled.
 */
export async function findNginxProcesses(
  prefix: string,
  extraGroup: number | null,
): Promise<NginxProcess[]> {
  const processes = (await allProcesses()).filter((p) =>
    p.pid !== Deno.pid && p.cmdline.startsWith("nginx: ")
  );
  const groups = new Set(processes.filter((p) => isMasterOf(p, prefix)).map((p) => p.pid));
  const found: NginxProcess[] = processes.filter((p) => groups.has(p.pgrp));
  if (extraGroup === null || groups.has(extraGroup)) return found;
  for (const process of processes) {
    if (process.pgrp !== extraGroup) continue;
    if (isMasterOf(process, prefix) || await holdsFileUnder(process, prefix)) found.push(process);
  }
  return found;
}

/** Processes still alive in process group `pgrp` titled `nginx: …`. */
export async function nginxGroupMembers(pgrp: number): Promise<NginxProcess[]> {
  return (await allProcesses()).filter((p) => p.pgrp === pgrp && p.cmdline.startsWith("nginx: "));
}

/** SIGKILLs each process (by pid, never by name) and waits until they are gone. */
export async function killProcesses(processes: NginxProcess[], timeoutMs = 3000): Promise<void> {
  for (const process of processes) {
    try {
      Deno.kill(process.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const process of processes) {
    while (Date.now() < deadline && (await readProcess(process.pid)) !== null) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
