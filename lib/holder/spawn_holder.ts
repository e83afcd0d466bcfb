import { dirname } from "node:path";
import { encodeLaunchSpec, type HolderPlan } from "./launch_spec.ts";
import { holderBinaryPath } from "./holder_binary.ts";
import { HolderConnection } from "./holder_connection.ts";
import { HOLDER_MARKER_VARIABLE, holderPaths, type HolderRecord } from "./holder_record.ts";

/** A unix socket path must fit sockaddr_un.sun_path (108 bytes with the final NUL). */
export const MAX_SOCKET_PATH = 107;

/** Whether a holder's socket in runtime folder `dir` fits the kernel's limit on its path. */
export function holderSocketFits(dir: string): boolean {
  return new TextEncoder().encode(holderPaths(dir).socket).length <= MAX_SOCKET_PATH;
}

/** A started holder: who it is, who its app is, and how to talk to it. */
export interface HolderHandle extends HolderRecord {
  dir: string;
  socketPath: string;
  /** Opens a new connection to the holder (status, signals, input, attach). */
  connect(): Promise<HolderConnection>;
}

/** Everything known about a holder from its record, with a way to connect. */
export function holderHandle(dir: string, record: HolderRecord): HolderHandle {
  const socketPath = holderPaths(dir).socket;
  return { ...record, dir, socketPath, connect: () => HolderConnection.connect(socketPath) };
}

/**
 * Starts `plan` under a new detached holder (it outlives this process) and resolves once the
 * app runs and the holder listens. Rejects with the holder's reason when the folder, log or
 * program is unusable; the runtime folder is then left without a holder.
 */
export async function spawnHolder(
  plan: HolderPlan,
  options: { binary?: string } = {},
): Promise<HolderHandle> {
  const spec = encodeLaunchSpec(plan);
  const paths = holderPaths(plan.dir);
  if (!holderSocketFits(plan.dir)) {
    throw new RangeError(
      `Holder socket path ${paths.socket} is longer than ${MAX_SOCKET_PATH} bytes: ` +
        "use a shorter runtime folder",
    );
  }
  const binary = options.binary ?? holderBinaryPath();
  Deno.mkdirSync(plan.dir, { recursive: true, mode: 0o700 });
  Deno.chmodSync(plan.dir, 0o700);
  if (plan.logPath !== null) Deno.mkdirSync(dirname(plan.logPath), { recursive: true });
  const specPath = `${plan.dir}/spec.${crypto.randomUUID()}`;
  Deno.writeFileSync(specPath, spec, { mode: 0o600, createNew: true });
  try {
    const result = await new Deno.Command(binary, {
      args: [specPath],
      clearEnv: true,
      env: { [HOLDER_MARKER_VARIABLE]: plan.marker },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const line = new TextDecoder().decode(result.stdout).split("\n")[0] ?? "";
    const ready = /^ready (\d+) (\d+) (\d+) (\d+)$/.exec(line);
    if (!ready) {
      const reason = line.startsWith("error ") ? line.slice(6) : `no answer (${line || "empty"})`;
      throw new Error(`Cannot start the holder of ${plan.marker}: ${reason}`);
    }
    const [holderPid, holderStartTicks, appPid, appStartTicks] = ready.slice(1).map(Number);
    return holderHandle(plan.dir, {
      marker: plan.marker,
      holderPid: holderPid ?? 0,
      holderStartTicks: holderStartTicks ?? 0,
      appPid: appPid ?? 0,
      appStartTicks: appStartTicks ?? 0,
      startedAt: Date.now(),
    });
  } finally {
    try {
      Deno.removeSync(specPath); // the holder removes it once read; not when it failed early
    } catch {
      // already gone
    }
  }
}
