import type { InstanceRecord } from "../db/mod.ts";
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import type { BlueprintFacts } from "./blueprint_source.ts";
import { InstancePaths } from "./instance_paths.ts";
import { buildLaunchPlan, inheritedEnv } from "./launch_plan.ts";

const paths = new InstancePaths("/data");

function record(over: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    id: 7,
    parentId: null,
    name: "Comfy; rm -rf /",
    slug: "comfy",
    blueprint: "comfy.sh",
    gpuIds: "0,1",
    autostart: false,
    persistentMode: false,
    hostname: null,
    useCustomHostname: false,
    outputPath: "shared/out",
    port: 19001,
    restartPolicy: "no",
    pythonVersion: "3.12",
    cudaVersion: null,
    torchVersion: "2.5",
    createdAt: "",
    updatedAt: "",
    invalidReason: null,
    status: "stopped",
    statusMessage: null,
    pid: null,
    pidStartTicks: null,
    startedAt: null,
    appPort: null,
    vncDisplay: null,
    vncPort: null,
    exitCode: null,
    exitSignal: null,
    ...over,
  };
}

function blueprint(metadata: Partial<NonNullable<BlueprintFacts["metadata"]>>): BlueprintFacts {
  return {
    file: "comfy.sh",
    source: "stock",
    path: "/stock/comfy.sh",
    metadata: {
      name: "Comfy",
      category: "Image",
      venvType: "none",
      venvPath: "./env",
      persistentMode: false,
      health: { kind: "http", path: "/" },
      startTimeoutSec: 180,
      proxy: "port",
      ...metadata,
    },
    error: null,
  };
}

const base = {
  paths,
  appPort: 41000,
  marker: "abcdef0123456789.7",
  baseEnv: { PATH: "/usr/bin", HOME: "/home/u" },
  functionsScript: "/data/lib/functions.sh",
};

Deno.test("a plan runs the instance's own launch.sh with values as env, never as shell text", () => {
  const plan = buildLaunchPlan({ ...base, record: record(), parent: null, blueprint: null });
  assertEquals(plan.argv, ["bash", "/data/instances/comfy/launch.sh"]);
  assertEquals(plan.cwd, "/data/instances/comfy");
  assertEquals(plan.env.INSTANCE_NAME, "Comfy; rm -rf /");
  assertEquals(plan.env.WEBUI_PORT, "41000");
  assertEquals(plan.env.CUDA_VISIBLE_DEVICES, "0,1");
  assertEquals(plan.env.INSTANCE_OUTPUT_DIR, "/data/outputs/shared/out");
  assertEquals(plan.env.AIKORE_INSTANCE_ID, "abcdef0123456789.7");
  assertEquals(plan.env.AIKORE_SATELLITE, "0");
  assertEquals(plan.env.PYTHON_VERSION, "3.12");
  assertEquals(plan.env.TORCH_VERSION, "2.5");
  assertEquals("CUDA_VERSION" in plan.env, false);
  assertEquals(plan.env.HOME, "/home/u");
  assertEquals(plan.logPath, "/data/instances/comfy/logs/output.log");
  assertEquals(plan.ensureDirs, [
    "/data/instances/comfy",
    "/data/instances/comfy/logs",
    "/data/outputs/shared/out",
    "/data/tmp/comfy",
  ]);
  assertEquals(plan.health, { kind: "http", port: 41000, path: "/" }, "default: http on /");
  assertEquals(plan.startTimeoutMs, 180_000);
});

Deno.test("a satellite runs its parent's script and versions from its own folder, told not to install", () => {
  const parent = record({ id: 1, slug: "parent", pythonVersion: "3.10", torchVersion: null });
  const sat = record({ parentId: 1, slug: "sat", gpuIds: "", pythonVersion: "3.99" });
  const plan = buildLaunchPlan({ ...base, record: sat, parent, blueprint: null });
  assertEquals(plan.argv, ["bash", "/data/instances/parent/launch.sh"]);
  assertEquals(plan.cwd, "/data/instances/sat");
  assertEquals(plan.env.INSTANCE_CONF_DIR, "/data/instances/parent");
  assertEquals(plan.env.AIKORE_SKIP_INSTALL, "1");
  assertEquals(plan.env.PYTHON_VERSION, "3.10", "the parent's environment decides");
  assertEquals("TORCH_VERSION" in plan.env, false);
  assertEquals("CUDA_VISIBLE_DEVICES" in plan.env, false, "empty gpu list: every GPU");
  assertEquals(plan.logPath, "/data/instances/sat/logs/output.log");
});

Deno.test("the blueprint's health check and start timeout shape the plan", () => {
  const log = buildLaunchPlan({
    ...base,
    record: record(),
    parent: null,
    blueprint: blueprint({ health: { kind: "log", pattern: "READY" }, startTimeoutSec: 2 }),
  });
  assertEquals(log.health, { kind: "log", pattern: "READY" });
  assertEquals(log.startTimeoutMs, 2000);
  const http = buildLaunchPlan({
    ...base,
    record: record(),
    parent: null,
    blueprint: blueprint({ health: { kind: "http", path: "/healthz" } }),
  });
  assertEquals(http.health, { kind: "http", port: 41000, path: "/healthz" });
});

Deno.test("only the listed variables of AiKore's environment reach instances; PATH has a default", () => {
  const picked = inheritedEnv({ HOME: "/h", AIKORE_PASSWORD: "secret", AWS_SECRET: "x" });
  assertEquals(picked.HOME, "/h");
  assert(!("AIKORE_PASSWORD" in picked) && !("AWS_SECRET" in picked));
  assert(picked.PATH?.includes("/usr/bin"));
});
