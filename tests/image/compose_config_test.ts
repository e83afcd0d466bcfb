/**
 * docker-compose.yml and docker-compose.dev.yml as a real compose implementation reads them
 * (Debian's docker-compose validates against the compose schema): they must pass `config`, keep
 * the NVIDIA GPU reservation, publish the pool that AiKore is told to use, and give AiKore more
 * stop grace than its own per-app grace.
 */
import { assert, assertEquals } from "../helpers/assert.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

async function installed(program: string): Promise<boolean> {
  const probe = await new Deno.Command("/bin/sh", {
    args: ["-c", `command -v ${program}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return probe.success;
}

const missing = !(await installed("docker-compose"))
  ? "docker-compose is not installed (.ci/run installs it with the image tools)"
  : null;
if (missing) Deno.stdout.writeSync(new TextEncoder().encode(`[compose] SKIPPED: ${missing}\n`));

interface ComposeService {
  build?: { context: string };
  deploy?: { resources?: { reservations?: { devices?: unknown[] } } };
  environment: Record<string, string>;
  ports: { published: number; target: number }[];
  volumes: string[];
  stop_grace_period?: string;
  shm_size?: string;
  image: string;
}

/** `docker-compose config` of the files (defaults only: a clean environment), as JSON. */
async function resolved(files: string[]): Promise<ComposeService> {
  const script = `docker-compose ${files.map((f) => `-f ${f}`).join(" ")} config | ` +
    `python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'`;
  const output = await new Deno.Command("bash", {
    args: ["-o", "pipefail", "-c", script],
    cwd: REPO,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: "/nonexistent" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert(output.success, `docker-compose config failed:\n${stderr}`);
  const service = JSON.parse(new TextDecoder().decode(output.stdout)).services.aikore;
  assert(service, "one service named aikore");
  return service as ComposeService;
}

Deno.test({
  name: "docker-compose.yml passes docker-compose config with the GPU reservation and the pool",
  ignore: missing !== null,
}, async () => {
  const service = await resolved(["docker-compose.yml"]);
  assertEquals(service.build?.context, REPO);
  assertEquals(service.deploy?.resources?.reservations?.devices, [
    { driver: "nvidia", count: "all", capabilities: ["gpu"] },
  ]);
  assertEquals(service.environment.NVIDIA_VISIBLE_DEVICES, "all");
  const [start, end] = service.environment.AIKORE_INSTANCE_PORT_RANGE?.split("-").map(Number) ??
    [];
  assert(start && end, "AIKORE_INSTANCE_PORT_RANGE is set");
  const pool = service.ports.filter((p) => p.target !== 9000);
  assertEquals(pool.length, end - start + 1, "every pool port is published");
  for (const port of pool) assertEquals(port.published, port.target, "pool ports map 1:1");
  assert(service.ports.some((p) => p.target === 9000 && p.published === 9000), "dashboard 9000");
  assertEquals([service.environment.PUID, service.environment.PGID], ["1000", "1000"]);
  assert("AIKORE_PASSWORD" in service.environment, "AIKORE_PASSWORD can be passed");
  assert(service.volumes.some((v) => v.endsWith(":/config:rw")), "a /config volume");
  assertEquals(service.stop_grace_period, "30s", "more than AiKore's 10 s per-app grace");
  assertEquals(service.shm_size, "2gb");
});

Deno.test({
  name: "docker-compose.dev.yml runs the mounted source on top of docker-compose.yml",
  ignore: missing !== null,
}, async () => {
  const service = await resolved(["docker-compose.yml", "docker-compose.dev.yml"]);
  assertEquals(service.environment.AIKORE_DEV_SOURCE, "/src");
  assert(service.volumes.includes(`${REPO}:/src:rw`), "the repository is mounted on /src");
  assert(service.deploy?.resources?.reservations?.devices?.length === 1, "GPUs kept");
  assertEquals(service.image, "aikore:dev");
});
