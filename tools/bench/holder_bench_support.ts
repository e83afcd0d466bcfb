/** Process metrics from /proc for the holder benchmark, and the alternatives it compares. */

/** What /proc says about one process: memory, CPU time and wake-ups. */
export interface ProcSample {
  rssKiB: number;
  /** Peak RSS over the process's life (VmHWM). */
  peakKiB: number;
  /** Proportional set size: shared pages (libc …) split between the processes using them. */
  pssKiB: number;
  /** utime + stime in clock ticks (100 per second). */
  cpuTicks: number;
  /** Voluntary + involuntary context switches: every wake-up counts one. */
  switches: number;
}

function field(text: string, name: string): number {
  return Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? NaN);
}

/** Samples a process; null when it is gone. */
export function sample(pid: number): ProcSample | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    let pssKiB = NaN;
    try {
      pssKiB = field(Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`), "Pss");
    } catch {
      // older kernels: no smaps_rollup
    }
    return {
      rssKiB: field(status, "VmRSS"),
      peakKiB: field(status, "VmHWM"),
      pssKiB,
      cpuTicks: Number(rest[11]) + Number(rest[12]),
      switches: field(status, "voluntary_ctxt_switches") +
        field(status, "nonvoluntary_ctxt_switches"),
    };
  } catch {
    return null;
  }
}

/** Mean and max of a list. */
export function stats(values: number[]): { mean: number; max: number } {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return { mean, max: Math.max(...values) };
}

/** True when `name` runs (exit status ignored). */
export async function installed(name: string): Promise<boolean> {
  try {
    await new Deno.Command(name, { args: ["-V"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to completion; throws with its stderr when it fails. */
export async function run(file: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(file, { args, stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  if (!out.success) throw new Error(`${file} ${args.join(" ")}: ${decoder.decode(out.stderr)}`);
  return decoder.decode(out.stdout);
}

/** Children (by ppid) of `pid`. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) {
        found.push(Number(entry.name));
      }
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Live pids whose command line (argv joined by spaces) contains `text`. */
export function pidsByCommand(text: string): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      if (cmdline.includes(text)) found.push(Number(entry.name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Resolves when `condition` holds, checking every `everyMs`. */
export async function poll(condition: () => boolean | Promise<boolean>, everyMs = 5) {
  while (!(await condition())) await new Promise((r) => setTimeout(r, everyMs));
}
