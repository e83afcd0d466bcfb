/**
 * One AiKore container run the way docker-compose.yml runs it: dashboard port and port pool
 * published (on 127.0.0.1, host ports chosen by podman and read back), /config volume,
 * PUID/PGID, AIKORE_PASSWORD, shm size and stop grace.
 */
import { type CommandResult, podman, podmanOk, RUN_LIMITS } from "./podman.ts";

export interface ContainerOptions {
  image: string;
  name: string;
  /** Host folder mounted as /config. */
  dataDir: string;
  puid: number;
  pgid: number;
  password: string;
  /** The instance port pool inside the container (published one to one, like compose). */
  pool: { start: number; end: number };
  /** Seconds `podman stop` waits before SIGKILL (compose: stop_grace_period). */
  stopGraceS: number;
  /** More `host:container[:ro]` mounts and environment (docker-compose.dev.yml's). */
  volumes?: string[];
  env?: Record<string, string>;
}

export interface Container {
  name: string;
  /** `http://127.0.0.1:<host port>` of the dashboard. */
  dashboard(): string;
  /** The host port a container port (dashboard or pool) is published on. */
  hostPort(containerPort: number): number;
  /** Reads the published ports again (after a restart). */
  refreshPorts(): Promise<void>;
  /** `podman exec` (as root unless `user` is given). */
  exec(args: string[], user?: string): Promise<CommandResult>;
  logs(): Promise<string>;
  remove(): Promise<void>;
}

/** Starts the container detached; returns once podman has published its ports. */
export async function startContainer(options: ContainerOptions): Promise<Container> {
  const poolPorts: number[] = [];
  for (let port = options.pool.start; port <= options.pool.end; port++) poolPorts.push(port);
  await podman(["rm", "--force", "--time", "0", options.name]);
  await podmanOk([
    "run",
    "--detach",
    "--name",
    options.name,
    ...RUN_LIMITS,
    "--publish",
    "127.0.0.1::9000",
    ...poolPorts.flatMap((port) => ["--publish", `127.0.0.1::${port}`]),
    "--volume",
    `${options.dataDir}:/config`,
    "--env",
    "TZ=Etc/UTC",
    "--env",
    `PUID=${options.puid}`,
    "--env",
    `PGID=${options.pgid}`,
    "--env",
    `AIKORE_INSTANCE_PORT_RANGE=${options.pool.start}-${options.pool.end}`,
    "--env",
    `AIKORE_PASSWORD=${options.password}`,
    ...(options.volumes ?? []).flatMap((volume) => ["--volume", volume]),
    ...Object.entries(options.env ?? {}).flatMap(([name, value]) => ["--env", `${name}=${value}`]),
    "--shm-size",
    "2g",
    "--stop-timeout",
    String(options.stopGraceS),
    options.image,
  ]);
  let ports = new Map<number, number>();
  const container: Container = {
    name: options.name,
    dashboard: () => `http://127.0.0.1:${container.hostPort(9000)}`,
    hostPort(containerPort) {
      const port = ports.get(containerPort);
      if (port === undefined) throw new Error(`container port ${containerPort} is not published`);
      return port;
    },
    async refreshPorts() {
      ports = await publishedPorts(options.name);
    },
    exec: (args, user) =>
      podman(["exec", ...(user === undefined ? [] : ["--user", user]), options.name, ...args]),
    async logs() {
      const result = await podman(["logs", options.name]);
      return result.stdout + result.stderr;
    },
    async remove() {
      await podman(["rm", "--force", "--time", "0", options.name]);
    },
  };
  await container.refreshPorts();
  return container;
}

/** `podman port`: "9000/tcp -> 127.0.0.1:41234" lines. */
async function publishedPorts(name: string): Promise<Map<number, number>> {
  const ports = new Map<number, number>();
  for (const line of (await podmanOk(["port", name])).split("\n")) {
    const match = /^(\d+)\/tcp -> [\d.]+:(\d+)$/.exec(line.trim());
    if (match) ports.set(Number(match[1]), Number(match[2]));
  }
  return ports;
}

/** `podman inspect` of the container's state. */
export async function containerState(
  name: string,
): Promise<{ running: boolean; exitCode: number; pid: number }> {
  const text = await podmanOk([
    "inspect",
    "--format",
    "{{.State.Running}} {{.State.ExitCode}} {{.State.Pid}}",
    name,
  ]);
  const [running, exitCode, pid] = text.trim().split(" ");
  return { running: running === "true", exitCode: Number(exitCode), pid: Number(pid) };
}
