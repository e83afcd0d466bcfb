/**
 * The fake NVML library (tests/fixtures/nvml/fake_nvml.c) for tests: compiled once per test
 * process, then copied per use so each fake has its own settings and counters even when several
 * tests share a process.
 */
const SOURCE = new URL("../fixtures/nvml/fake_nvml.c", import.meta.url);
const builds = new Map<string, Promise<string>>();
let buildRoot: string | null = null;

/** Settings written to the fake's fake_nvml.conf (see the C file's header). */
export interface FakeNvmlOptions {
  /** Default 2. */
  gpuCount?: number;
  /** Processes on GPU0; null bytes = NVML_VALUE_NOT_AVAILABLE. Default 4242/4243/4244. */
  pids?: Array<{ pid: number; bytes: number | null }>;
  /** "symbol@index=code,…", index "*" for every GPU. */
  fail?: string;
  /** "symbol@index=ms,…": the call sleeps that long first, like a driver in trouble. */
  delay?: string;
  /** nvmlInit returns this code. */
  initError?: number;
  /** Build without any _v2/_v3 symbol, like a pre-510 driver. */
  oldDriver?: boolean;
  /** The fake rewrites this file with per-symbol call counts after every call. */
  countFile?: string;
}

/** One fake library copy; dispose it after closing every provider that uses it. */
export interface FakeNvml extends AsyncDisposable {
  /** Path to pass as the NVML library (AIKORE_NVML_LIBRARY). */
  library: string;
  /** Total NVML calls made on this copy so far. */
  callCount(): number;
  /** nvmlInit/nvmlInit_v2 calls made on this copy so far. */
  initCount(): number;
  /** Replaces the injected failures ("symbol@index=code,…", like `fail`) while it runs. */
  setFailures(spec: string): void;
}

/** Compiles the fake (cached for the test process) and returns the path of the shared object. */
export function buildFakeNvml(oldDriver = false): Promise<string> {
  const key = oldDriver ? "old" : "current";
  let build = builds.get(key);
  if (!build) {
    build = compile(key, oldDriver);
    builds.set(key, build);
  }
  return build;
}

/** A private copy of the fake with the given settings. */
export async function fakeNvml(options: FakeNvmlOptions = {}): Promise<FakeNvml> {
  const built = await buildFakeNvml(options.oldDriver ?? false);
  const dir = await Deno.makeTempDir({ prefix: "aikore-fake-nvml-" });
  const library = `${dir}/libnvidia-ml.so.1`;
  await Deno.copyFile(built, library);
  await Deno.writeTextFile(`${dir}/fake_nvml.conf`, settings(options));
  const counters = Deno.dlopen(
    library,
    {
      fakeNvmlCallCount: { parameters: [], result: "i64" },
      fakeNvmlInitCount: { parameters: [], result: "i64" },
      fakeNvmlSetFailures: { parameters: ["buffer"], result: "i32" },
    } as const,
  );
  return {
    library,
    callCount: () => Number(counters.symbols.fakeNvmlCallCount()),
    initCount: () => Number(counters.symbols.fakeNvmlInitCount()),
    setFailures: (spec) => {
      counters.symbols.fakeNvmlSetFailures(new TextEncoder().encode(spec + "\0"));
    },
    async [Symbol.asyncDispose]() {
      counters.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function settings(options: FakeNvmlOptions): string {
  const lines: string[] = [];
  if (options.gpuCount !== undefined) lines.push(`FAKE_NVML_GPU_COUNT=${options.gpuCount}`);
  if (options.pids) {
    const pids = options.pids.map((p) => `${p.pid}:${p.bytes === null ? "na" : p.bytes}`);
    lines.push(`FAKE_NVML_PIDS=${pids.join(",")}`);
  }
  if (options.fail) lines.push(`FAKE_NVML_FAIL=${options.fail}`);
  if (options.delay) lines.push(`FAKE_NVML_DELAY=${options.delay}`);
  if (options.initError !== undefined) lines.push(`FAKE_NVML_INIT_ERROR=${options.initError}`);
  if (options.countFile) lines.push(`FAKE_NVML_COUNT_FILE=${options.countFile}`);
  return lines.map((line) => line + "\n").join("");
}

async function compile(key: string, oldDriver: boolean): Promise<string> {
  if (!buildRoot) {
    buildRoot = await Deno.makeTempDir({ prefix: "aikore-fake-nvml-build-" });
    const root = buildRoot;
    globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
  }
  const out = `${buildRoot}/${key}/libnvidia-ml.so.1`;
  await Deno.mkdir(`${buildRoot}/${key}`);
  const args = ["-shared", "-fPIC", "-O2", "-Wall", "-Wl,-soname,libnvidia-ml.so.1", "-o", out];
  if (oldDriver) args.push("-DOLD_DRIVER");
  const result = await new Deno.Command("gcc", {
    args: [...args, SOURCE.pathname],
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(
      `Cannot compile the fake NVML library: ${new TextDecoder().decode(result.stderr)}`,
    );
  }
  return out;
}
