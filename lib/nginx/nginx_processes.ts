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

/**
 * NGINX processes of the instance rooted at `prefix`: masters started with `-p <prefix>/` and
 * any process titled `nginx: …` in their process group or in group `extraGroup` (the pid in a
 * stale pid file: orphaned workers keep the dead master's group). Never matches other programs.
 */
export async function findNginxProcesses(
  prefix: string,
  extraGroup: number | null,
): Promise<NginxProcess[]> {
  const processes = await allProcesses();
  const masters = processes.filter((p) =>
    p.cmdline.startsWith("nginx: master process") && p.cmdline.includes(` -p ${prefix}/ `)
  );
  const groups = new Set(masters.map((p) => p.pid));
  if (extraGroup !== null) groups.add(extraGroup);
  return processes.filter((p) =>
    p.pid !== Deno.pid && p.cmdline.startsWith("nginx: ") && groups.has(p.pgrp)
  );
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
