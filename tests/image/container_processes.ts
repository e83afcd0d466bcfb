/** The processes inside a running container, as `ps` sees them there (the probe left out). */
import type { Container } from "./container.ts";

export interface ContainerProcess {
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  rssKiB: number;
  state: string;
  args: string;
}

/** Every process in the container except the `ps` that lists them. */
export async function containerProcesses(container: Container): Promise<ContainerProcess[]> {
  const result = await container.exec([
    "sh",
    "-c",
    "echo $$; exec ps -eo pid=,ppid=,uid=,gid=,rss=,stat=,args=",
  ]);
  if (result.code !== 0) throw new Error(`ps in the container failed: ${result.stderr}`);
  const [self, ...lines] = result.stdout.trim().split("\n");
  const processes: ContainerProcess[] = [];
  for (const line of lines) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`unexpected ps line: ${line}`);
    const pid = Number(match[1]);
    if (String(pid) === self?.trim()) continue;
    processes.push({
      pid,
      ppid: Number(match[2]),
      uid: Number(match[3]),
      gid: Number(match[4]),
      rssKiB: Number(match[5]),
      state: match[6] ?? "",
      args: match[7] ?? "",
    });
  }
  return processes;
}

/** AiKore's own process (Deno running main.ts, or the compiled executable). */
export function aikoreProcess(processes: ContainerProcess[]): ContainerProcess | undefined {
  return processes.find((p) => /(main\.ts|aikore-compiled) serve$/.test(p.args));
}
