import { join } from "node:path";
import { GIT_ENV } from "../../tests/helpers/git.ts";
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { parseBlueprintMetadata } from "./parse_blueprint_metadata.ts";

// Real bash runs of every stock blueprint. The commands that would install or launch something
// (git, conda, python, pip, curl, npm, node, the apps) are the stand-ins in
// tests/fixtures/stock_stubs: they record their argv to a log and create only what a blueprint
// looks for; git is real but clones a local repository. Nothing touches the network.

const BLUEPRINTS = new URL("../../blueprints/", import.meta.url).pathname;
const STUBS = new URL("../../tests/fixtures/stock_stubs/", import.meta.url).pathname;
const FUNCTIONS = join(BLUEPRINTS, "functions.sh");
const ENV_SEEN = [
  "GRADIO_SERVER_NAME",
  "GRADIO_SERVER_PORT",
  "INVOKEAI_HOST",
  "INVOKEAI_PORT",
  "INVOKEAI_OUTPUTS_DIR",
  "CONDA_PREFIX",
  "HOME",
  "DISPLAY",
  "LD_LIBRARY_PATH",
];
const INSTALLERS = new Set(["git", "conda", "pip", "pip3", "curl", "wget", "npm"]);

/** Paths of one fake AiKore data dir: an owner instance "app" and its satellite "sat". */
interface World {
  root: string;
  data: string;
  models: string;
  conf: string;
  sat: string;
  out: string;
  satOut: string;
  tmp: string;
  log: string;
  upstream: string;
}

/**
 * What a stock blueprint must do. Placeholders: {PORT} {OUT} {TMP} (this run's), {OWN} (this
 * run's instance folder), {CONF} (the owner's folder), {MODELS}, {DATA}.
 */
interface StockCase {
  file: string;
  /** The exact argv the script ends by exec'ing. */
  launch: string[];
  /** The satellite's argv when it differs. */
  satelliteLaunch?: string[];
  /** Whether the app writes outputs (the output folder must then exist). */
  outputs?: false;
  /** Variables the launched app must see. */
  launchEnv?: Record<string, string>;
  /** Other commands a start may run besides the exec (a background worker). */
  alsoStarted?: string[][];
  /** Links (relative to the instance folder) and where they must point. */
  links: Record<string, string>;
  /** Patterns the tab-joined log lines of the first (installing) run must contain. */
  installs: RegExp[];
}

const TORCH =
  /^python\t-m\tpip\tinstall\ttorch==2\.8\.0\t.*--index-url\thttps:\/\/download\.pytorch\.org\/whl\/cu128\t/;
const CONDA = (python: string) =>
  new RegExp(
    `^conda\\tcreate\\t.*--prefix\\t[^\\t]*/app/env\\t.*python=${python.replace(".", "\\.")}`,
  );
const CLONE = (repo: string) =>
  new RegExp(`^git\\tclone\\t.*https://github\\.com/${repo}\\.git\\t`);
const GRADIO = { GRADIO_SERVER_NAME: "127.0.0.1", GRADIO_SERVER_PORT: "{PORT}" };

const CASES: StockCase[] = [
  {
    file: "ComfyUI.sh",
    launch: [
      "python",
      "main.py",
      "--listen",
      "127.0.0.1",
      "--port",
      "{PORT}",
      "--output-directory",
      "{OUT}",
      "--temp-directory",
      "{TMP}",
    ],
    links: {
      "ComfyUI/models/checkpoints": "{MODELS}/checkpoints",
      "ComfyUI/models/loras": "{MODELS}/loras",
      "ComfyUI/models/vae": "{MODELS}/vae",
      "ComfyUI/models/text_encoders": "{MODELS}/text_encoders",
    },
    installs: [
      CLONE("comfyanonymous/ComfyUI"),
      CLONE("ltdrdata/ComfyUI-Manager"),
      CONDA("3.12"),
      TORCH,
      /^python\t-m\tpip\tinstall\t-r\t.*\t-c\t.*torch-constraints\.txt/,
    ],
  },
  {
    file: "FluxGym.sh",
    launch: ["python", "app.py"],
    launchEnv: GRADIO,
    links: {
      "fluxgym/models/unet": "{MODELS}/unet",
      "fluxgym/models/clip": "{MODELS}/clip",
      "fluxgym/models/vae": "{MODELS}/vae",
      "fluxgym/outputs": "{OUT}",
    },
    installs: [
      CLONE("cocktailpeanut/fluxgym"),
      CLONE("kohya-ss/sd-scripts"),
      /^git\t-C\t[^\t]*sd-scripts\tcheckout\t--quiet\t-B\tsd3\t/,
      CONDA("3.10"),
      TORCH,
      /^python\t-m\tpip\tinstall\tbitsandbytes\t/,
    ],
  },
  {
    file: "Forge.sh",
    launch: [
      "python",
      "launch.py",
      "--server-name",
      "127.0.0.1",
      "--port",
      "{PORT}",
      "--skip-prepare-environment",
    ],
    links: {
      "stable-diffusion-webui-forge/models/Stable-diffusion": "{MODELS}/checkpoints",
      "stable-diffusion-webui-forge/models/Lora": "{MODELS}/loras",
      "stable-diffusion-webui-forge/embeddings": "{MODELS}/embeddings",
      "stable-diffusion-webui-forge/outputs": "{OUT}",
    },
    installs: [
      CLONE("lllyasviel/stable-diffusion-webui-forge"),
      CONDA("3.10"),
      TORCH,
      /^python\tlaunch\.py\t--exit\t/,
    ],
  },
  {
    file: "InvokeAI.sh",
    launch: ["invokeai-web", "--root", "{CONF}/invokeai"],
    launchEnv: {
      INVOKEAI_HOST: "127.0.0.1",
      INVOKEAI_PORT: "{PORT}",
      INVOKEAI_OUTPUTS_DIR: "{OUT}",
    },
    links: { "invokeai/aikore-models": "{MODELS}" },
    installs: [
      CONDA("3.12"),
      /^python\t-m\tpip\tinstall\tinvokeai\ttorch==2\.8\.0\t--extra-index-url\thttps:\/\/download\.pytorch\.org\/whl\/cu128\t/,
    ],
  },
  {
    file: "SDNext.sh",
    launch: ["python", "launch.py", "--server-name", "127.0.0.1", "--port", "{PORT}", "--skip-git"],
    satelliteLaunch: [
      "python",
      "launch.py",
      "--server-name",
      "127.0.0.1",
      "--port",
      "{PORT}",
      "--skip-all",
    ],
    links: {
      "sdnext/models/Stable-diffusion": "{MODELS}/checkpoints",
      "sdnext/models/Lora": "{MODELS}/loras",
      "sdnext/outputs": "{OUT}",
    },
    installs: [CLONE("vladmandic/sdnext"), CONDA("3.12"), TORCH],
  },
  {
    file: "Fooocus.sh",
    launch: [
      "python",
      "launch.py",
      "--listen",
      "127.0.0.1",
      "--port",
      "{PORT}",
      "--output-path",
      "{OUT}",
      "--temp-path",
      "{TMP}/fooocus",
    ],
    links: {
      "Fooocus/models/checkpoints": "{MODELS}/checkpoints",
      "Fooocus/models/loras": "{MODELS}/loras",
    },
    installs: [CLONE("lllyasviel/Fooocus"), CONDA("3.10"), TORCH],
  },
  {
    file: "kohya_ss.sh",
    launch: [
      "python",
      "kohya_gui.py",
      "--listen",
      "127.0.0.1",
      "--server_port",
      "{PORT}",
      "--headless",
    ],
    links: { "kohya_ss/shared-models": "{MODELS}", "kohya_ss/outputs": "{OUT}" },
    installs: [
      CLONE("bmaltais/kohya_ss"),
      /^git\t-C\t[^\t]*kohya_ss\tsubmodule\tupdate\t--init\t--recursive\t/,
      CONDA("3.11"),
      TORCH,
      /^python\t-m\tpip\tinstall\tbitsandbytes\t/,
    ],
  },
  {
    file: "AI-Toolkit.sh",
    launch: [
      "node",
      "node_modules/next/dist/bin/next",
      "start",
      "--hostname",
      "127.0.0.1",
      "--port",
      "{PORT}",
    ],
    alsoStarted: [["node", "dist/cron/worker.js"]],
    links: {
      "ai-toolkit/output": "{OUT}",
      "ai-toolkit/datasets": "{DATA}/datasets",
      "ai-toolkit/shared-models": "{MODELS}",
    },
    installs: [
      CLONE("ostris/ai-toolkit"),
      /^conda\tcreate\t.*python=3\.11\tnodejs=22\t/,
      TORCH,
      /^npm\tinstall\t/,
      /^npm\trun\tbuild\t/,
    ],
  },
  {
    file: "IOPaint.sh",
    launch: [
      "iopaint",
      "start",
      "--host",
      "127.0.0.1",
      "--port",
      "{PORT}",
      "--model",
      "lama",
      "--device",
      "cuda",
      "--model-dir",
      "{CONF}/models",
      "--output-dir",
      "{OUT}",
    ],
    links: { "models": "{MODELS}/iopaint" },
    installs: [CONDA("3.11"), TORCH, /^python\t-m\tpip\tinstall\tiopaint\t-c\t/],
  },
  {
    file: "LMStudio.sh",
    launch: ["AppRun", "--no-sandbox"],
    outputs: false,
    launchEnv: { DISPLAY: ":99", HOME: "{OWN}/home", CONDA_PREFIX: "{CONF}/env" },
    links: { "home/.lmstudio/models": "{MODELS}/llm" },
    installs: [
      /^conda\tcreate\t.*--prefix\t[^\t]*\/app\/env\t.*\tgtk3\tnss\t/,
      /^curl\t.*https:\/\/lmstudio\.ai\/download\/latest\/linux\/x64\t/,
      /^LM-Studio\.AppImage\t--appimage-extract\t/,
    ],
  },
];

function fill(text: string, world: World, port: number, own: "owner" | "satellite"): string {
  const satellite = own === "satellite";
  return text
    .replaceAll("{PORT}", String(port))
    .replaceAll("{OUT}", satellite ? world.satOut : world.out)
    .replaceAll("{TMP}", join(world.tmp, satellite ? "sat" : "app"))
    .replaceAll("{OWN}", satellite ? world.sat : world.conf)
    .replaceAll("{CONF}", world.conf)
    .replaceAll("{MODELS}", world.models)
    .replaceAll("{DATA}", world.data);
}

interface Call {
  argv: string[];
  env: Record<string, string>;
}

async function readCalls(log: string): Promise<Call[]> {
  const text = await Deno.readTextFile(log).catch(() => "");
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const fields = line.split("\t");
    const cut = fields.indexOf("--env--");
    const env: Record<string, string> = {};
    for (const pair of fields.slice(cut + 1)) {
      const at = pair.indexOf("=");
      env[pair.slice(0, at)] = pair.slice(at + 1);
    }
    return { argv: fields.slice(0, cut), env };
  });
}

async function sh(script: string, cwd: string): Promise<void> {
  const result = await new Deno.Command("bash", {
    args: ["-euc", script],
    cwd,
    env: GIT_ENV,
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(result.code, 0, new TextDecoder().decode(result.stderr));
}

/** The "upstream" every blueprint clones: one small repo with the files apps keep tracked. */
async function makeUpstream(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await sh(
    `git init -q -b main
     mkdir -p models/checkpoints models/Stable-diffusion ui/dist/cron
     echo placeholder > models/checkpoints/put_checkpoints_here
     echo placeholder > models/Stable-diffusion/put_here.txt
     printf 'numpy\\ntorch==2.0.0\\n' > requirements.txt
     printf 'pillow\\n' > requirements_versions.txt
     printf -- '-r requirements.txt\\nxformers\\n' > requirements_linux.txt
     echo 'print(1)' > main.py
     echo '' > ui/dist/cron/worker.js
     git add -A && git commit -qm one
     git branch sd3 && git checkout -qb other && echo other > other.txt && git add other.txt
     git commit -qm other && git checkout -q main`,
    dir,
  );
}

async function makeWorld(): Promise<World> {
  const root = await Deno.makeTempDir({ prefix: "aikore-stock-" });
  const data = join(root, "data");
  const world: World = {
    root,
    data,
    models: join(data, "models"),
    conf: join(data, "instances/app"),
    sat: join(data, "instances/sat"),
    out: join(data, "output/app"),
    satOut: join(data, "output/sat"),
    tmp: join(data, "tmp"),
    log: join(root, "calls.log"),
    upstream: join(root, "upstream"),
  };
  for (const dir of [world.conf, world.sat, join(world.tmp, "app"), join(world.tmp, "sat")]) {
    await Deno.mkdir(dir, { recursive: true });
  }
  await makeUpstream(world.upstream);
  return world;
}

let realGit: string | undefined;

/** Where the real git is (the stub hands clones and fetches to it). */
function realGitPath(): string {
  realGit ??= new TextDecoder().decode(
    new Deno.Command("bash", { args: ["-c", "command -v git"], stdout: "piped" }).outputSync()
      .stdout,
  ).trim();
  return realGit;
}

interface RunResult {
  code: number;
  stderr: string;
  calls: Call[];
}

/** Runs the instance's launch.sh the way AiKore does (bash launch.sh, cwd = own folder). */
async function runInstance(
  world: World,
  as: "owner" | "satellite",
  port: number,
  extra: Record<string, string> = {},
): Promise<RunResult> {
  await Deno.writeTextFile(world.log, "");
  const satellite = as === "satellite";
  const own = satellite ? world.sat : world.conf;
  const env: Record<string, string> = {
    ...GIT_ENV,
    PATH: `${STUBS}:/usr/local/bin:/usr/bin:/bin`,
    HOME: world.root,
    LANG: "C.UTF-8",
    STUB_LOG: world.log,
    STUB_REAL_GIT: realGitPath(),
    STUB_UPSTREAM: world.upstream,
    STUB_ENV_VARS: ENV_SEEN.join(" "),
    WEBUI_PORT: String(port),
    INSTANCE_NAME: satellite ? "sat" : "app",
    INSTANCE_SLUG: satellite ? "sat" : "app",
    INSTANCE_CONF_DIR: world.conf,
    INSTANCE_DIR: own,
    INSTANCE_OUTPUT_DIR: satellite ? world.satOut : world.out,
    SUBFOLDER: `/instance/${satellite ? "sat" : "app"}/`,
    CUDA_DEVICE_ORDER: "PCI_BUS_ID",
    CUDA_VISIBLE_DEVICES: "0",
    TMPDIR: join(world.tmp, satellite ? "sat" : "app"),
    AIKORE_DATA_DIR: world.data,
    AIKORE_MODELS_DIR: world.models,
    AIKORE_DATA_MODELS: world.models,
    AIKORE_FUNCTIONS: FUNCTIONS,
    AIKORE_SATELLITE: satellite ? "1" : "0",
    AIKORE_SKIP_INSTALL: satellite ? "1" : "0",
    PYTHONUNBUFFERED: "1",
    CUDA_VERSION: "12.8",
    TORCH_VERSION: "2.8.0",
    DISPLAY: ":99",
    LMSTUDIO_X_WAIT: "0",
    ...extra,
  };
  const result = await new Deno.Command("bash", {
    args: [join(world.conf, "launch.sh")],
    cwd: own,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return {
    code: result.code,
    stderr: new TextDecoder().decode(result.stderr),
    calls: await readCalls(world.log),
  };
}

function launchOf(stock: StockCase, world: World, port: number, as: "owner" | "satellite") {
  const argv = as === "satellite" ? stock.satelliteLaunch ?? stock.launch : stock.launch;
  return argv.map((arg) => fill(arg, world, port, as));
}

const joined = (calls: Call[]) => calls.map((call) => call.argv.join("\t") + "\t");

/** Asserts the run only launched: the expected exec (last) plus allowed background starts. */
function assertLaunchOnly(
  stock: StockCase,
  run: RunResult,
  world: World,
  port: number,
  as: "owner" | "satellite",
): void {
  assertEquals(run.code, 0, run.stderr);
  const installers = run.calls.filter((call) =>
    INSTALLERS.has(call.argv[0] ?? "") || call.argv.includes("pip") ||
    call.argv.includes("--exit") || call.argv.includes("--appimage-extract")
  );
  assertEquals(
    installers.map((c) => c.argv.join(" ")),
    [],
    `${stock.file} installed on ${as} start`,
  );
  const launch = launchOf(stock, world, port, as);
  const allowed = [launch, ...(stock.alsoStarted ?? [])].map((argv) => argv.join("\t"));
  for (const call of run.calls) {
    assert(
      allowed.includes(call.argv.join("\t")),
      `${stock.file}: unexpected ${call.argv.join(" ")}`,
    );
  }
  assertLaunch(stock, run, world, port, as);
}

/** Asserts the launched command: exact argv, loopback + WEBUI_PORT, never 0.0.0.0. */
function assertLaunch(
  stock: StockCase,
  run: RunResult,
  world: World,
  port: number,
  as: "owner" | "satellite",
): void {
  const launch = launchOf(stock, world, port, as);
  const exec = run.calls.find((call) => call.argv.join("\t") === launch.join("\t"));
  assert(exec, `${stock.file} did not exec ${launch.join(" ")}:\n${joined(run.calls).join("\n")}`);
  for (const [name, value] of Object.entries(stock.launchEnv ?? {})) {
    assertEquals(exec.env[name], fill(value, world, port, as), `${stock.file}: ${name}`);
  }
  const seen = [...exec.argv, ...Object.values(exec.env)].join(" ");
  if (stock.file !== "LMStudio.sh") {
    assert(seen.includes("127.0.0.1") && seen.includes(String(port)), `${stock.file}: ${seen}`);
    assertEquals(exec.env.CONDA_PREFIX, join(world.conf, "env"), `${stock.file} ran outside ./env`);
  }
  assert(!seen.includes("0.0.0.0"), `${stock.file} binds every interface: ${seen}`);
}

async function assertLinks(stock: StockCase, world: World): Promise<void> {
  for (const [rel, target] of Object.entries(stock.links)) {
    const path = join(world.conf, rel);
    assertEquals(
      await Deno.readLink(path),
      fill(target, world, 0, "owner"),
      `${stock.file}: ${rel}`,
    );
    assert((await Deno.stat(path)).isDirectory, `${stock.file}: ${rel} is not a folder`);
  }
  if (stock.outputs !== false) {
    assert((await Deno.stat(world.out)).isDirectory, `${stock.file}: no output folder`);
  }
}

async function withWorld(file: string, fn: (world: World) => Promise<void>): Promise<void> {
  const world = await makeWorld();
  try {
    await Deno.copyFile(join(BLUEPRINTS, file), join(world.conf, "launch.sh"));
    await fn(world);
  } finally {
    await Deno.remove(world.root, { recursive: true });
  }
}

Deno.test("the stock blueprints are exactly the tested ones, with valid metadata and syntax", async () => {
  const files = [...Deno.readDirSync(BLUEPRINTS)].map((e) => e.name)
    .filter((name) => name.endsWith(".sh") && name !== "functions.sh" && name !== "empty.sh")
    .sort();
  assertEquals(files, CASES.map((c) => c.file).sort());
  for (const file of files) {
    const text = await Deno.readTextFile(join(BLUEPRINTS, file));
    const meta = parseBlueprintMetadata(text, file);
    assert(meta.venvType === "conda" || meta.venvType === "python", file);
    assertEquals(meta.venvPath, "./env", file);
    assert(meta.startTimeoutSec >= 1800, `${file}: start_timeout too short for a first install`);
    assert(meta.description.length > 20, file);
    assertEquals(meta.proxy === "both", file === "ComfyUI.sh", `${file}: proxy ${meta.proxy}`);
    assertEquals(meta.persistentMode, file === "LMStudio.sh", file);
    assertEquals(meta.health.kind === "process", file === "LMStudio.sh", file);
    assertMatch(text, /^set -euo pipefail$/m, file);
    assertMatch(text, /^source "\$\{AIKORE_FUNCTIONS:\?/m, file);
    assert(!text.includes("0.0.0.0") && !/\beval\b/.test(text), `${file}: 0.0.0.0 or eval`);
    const syntax = await new Deno.Command("bash", {
      args: ["-n", join(BLUEPRINTS, file)],
      stderr: "piped",
    }).output();
    assertEquals(syntax.code, 0, `${file}: ${new TextDecoder().decode(syntax.stderr)}`);
  }
});

for (const stock of CASES) {
  Deno.test(`${stock.file} installs once, then only launches on 127.0.0.1:$WEBUI_PORT; satellites never install`, async () => {
    await withWorld(stock.file, async (world) => {
      const first = await runInstance(world, "owner", 18001);
      assertEquals(first.code, 0, first.stderr);
      const lines = joined(first.calls);
      for (const pattern of stock.installs) {
        assert(
          lines.some((line) => pattern.test(line)),
          `${stock.file}: no ${pattern}\n${lines.join("\n")}`,
        );
      }
      assertLaunch(stock, first, world, 18001, "owner");
      await assertLinks(stock, world);

      const second = await runInstance(world, "owner", 18002);
      assertLaunchOnly(stock, second, world, 18002, "owner");
      await assertLinks(stock, world);

      // Even with a rebuild pending and other versions than installed, a satellite only launches.
      await Deno.writeTextFile(join(world.conf, ".rebuild-env"), "");
      const satellite = await runInstance(world, "satellite", 18003, { TORCH_VERSION: "2.9.0" });
      assertLaunchOnly(stock, satellite, world, 18003, "satellite");
      assert((await Deno.stat(join(world.conf, "env/.aikore-installed"))).isFile);
      assert((await Deno.stat(join(world.conf, ".rebuild-env"))).isFile);
    });
  });
}

Deno.test("ComfyUI.sh reinstalls after Rebuild environment, follows COMFYUI_REF, keeps its links and reads launch_args.txt", async () => {
  await withWorld("ComfyUI.sh", async (world) => {
    assertEquals((await runInstance(world, "owner", 18001)).code, 0);
    const store = join(world.models, "checkpoints");
    await Deno.writeTextFile(join(store, "model.safetensors"), "weights");
    await Deno.writeTextFile(join(world.conf, ".rebuild-env"), "");
    const rebuilt = await runInstance(world, "owner", 18001);
    assertEquals(rebuilt.code, 0, rebuilt.stderr);
    assert(joined(rebuilt.calls).some((line) => CONDA("3.12").test(line)), "env not re-created");
    assertEquals(await Deno.stat(join(world.conf, ".rebuild-env")).catch(() => null), null);

    // A tracked placeholder sits under the linked models/checkpoints: switching refs must work.
    const moved = await runInstance(world, "owner", 18001, { COMFYUI_REF: "other" });
    assertEquals(moved.code, 0, moved.stderr);
    assertEquals(await Deno.readTextFile(join(world.conf, "ComfyUI/other.txt")), "other\n");
    assertEquals(await Deno.readLink(join(world.conf, "ComfyUI/models/checkpoints")), store);
    assertEquals(await Deno.readTextFile(join(store, "model.safetensors")), "weights");
    assertEquals(
      [...Deno.readDirSync(join(world.conf, "ComfyUI/models"))].filter((e) =>
        e.name.includes("conflicts")
      ),
      [],
    );

    // launch_args.txt: words appended as they are, nothing expanded.
    await Deno.writeTextFile(
      join(world.sat, "launch_args.txt"),
      "--preview-method auto\n# a comment\n  --x $HOME *\n",
    );
    const run = await runInstance(world, "satellite", 18003);
    assertEquals(run.code, 0, run.stderr);
    const last = run.calls.at(-1)?.argv ?? [];
    assertEquals(last.slice(-5), ["--preview-method", "auto", "--x", "$HOME", "*"]);
  });
});

Deno.test("a satellite started before its parent installed fails clearly and installs nothing", async () => {
  await withWorld("Forge.sh", async (world) => {
    const run = await runInstance(world, "satellite", 18003);
    assertEquals(run.code, 1);
    assertMatch(run.stderr, /parent instance has not finished installing/);
    assertEquals(run.calls, []);
  });
});

Deno.test("LMStudio.sh refuses to start outside desktop mode", async () => {
  await withWorld("LMStudio.sh", async (world) => {
    const run = await runInstance(world, "owner", 18001, { DISPLAY: "" });
    assertEquals(run.code, 1);
    assertMatch(run.stderr, /desktop \(persistent\) mode/);
    assertEquals(run.calls, []);
  });
});

/** Runs `script` in bash with functions.sh sourced and the stubs first on PATH. */
async function helpers(world: World, script: string, env: Record<string, string> = {}) {
  await Deno.writeTextFile(world.log, "");
  const result = await new Deno.Command("bash", {
    args: ["-c", `set -euo pipefail; source "$AIKORE_FUNCTIONS"; ${script}`],
    cwd: world.conf,
    env: {
      PATH: `${STUBS}:/usr/local/bin:/usr/bin:/bin`,
      AIKORE_FUNCTIONS: FUNCTIONS,
      INSTANCE_CONF_DIR: world.conf,
      STUB_LOG: world.log,
      STUB_ENV_VARS: "VIRTUAL_ENV",
      ...env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    stdout: decoder.decode(result.stdout),
    stderr: decoder.decode(result.stderr),
    calls: await readCalls(world.log),
  };
}

Deno.test("install helpers: torch index per CUDA version, venv environments, bad versions refused", async () => {
  await withWorld("ComfyUI.sh", async (world) => {
    const index = async (cuda: string, extra: Record<string, string> = {}) =>
      (await helpers(world, "torch_index_url", { CUDA_VERSION: cuda, ...extra })).stdout.trim();
    assertEquals(await index("12.8"), "https://download.pytorch.org/whl/cu128");
    assertEquals(await index("12.6.3"), "https://download.pytorch.org/whl/cu126");
    assertEquals(await index(""), "https://download.pytorch.org/whl/cu128");
    assertEquals(await index("cpu"), "https://download.pytorch.org/whl/cpu");
    assertEquals(await index("rocm6.3"), "https://download.pytorch.org/whl/rocm6.3");
    assertEquals(
      await index("12.8", { AIKORE_TORCH_INDEX_URL: "http://mirror/x" }),
      "http://mirror/x",
    );
    for (const bad of ["12.8; rm -rf /", "--index-url=evil"]) {
      const run = await helpers(world, "install_torch", { CUDA_VERSION: bad });
      assertEquals([run.code, run.calls], [1, []], bad);
    }
    const badTorch = await helpers(world, "install_torch", { TORCH_VERSION: "2.8 --pre" });
    assertEquals([badTorch.code, badTorch.calls], [1, []]);
    assertMatch(badTorch.stderr, /TORCH_VERSION/);

    // A python venv: made once, kept while unchanged, remade for another Python.
    const env = join(world.conf, "env");
    const made = await helpers(
      world,
      `create_env python ./env 3.99; activate_env ./env; python -c pass; echo "$VIRTUAL_ENV"`,
    );
    assertEquals(made.code, 0, made.stderr);
    assertEquals(made.stdout.trim(), env);
    assertEquals(made.calls.map((c) => c.argv), [
      ["python3", "-m", "venv", "./env"],
      ["python", "-c", "pass"],
    ]);
    assertEquals(made.calls[1]?.env.VIRTUAL_ENV, env);
    const kept = await helpers(world, "create_env python ./env 3.99");
    assertEquals([kept.code, kept.calls], [0, []]);
    assertMatch(kept.stderr, /keeping the environment/);
    const remade = await helpers(world, "create_env python ./env 3.98");
    assertEquals(remade.calls.map((c) => c.argv), [["python3", "-m", "venv", "./env"]]);
    assertMatch(await Deno.readTextFile(join(env, ".aikore-env")), /python=3\.98/);

    // Environments outside the instance folder are never deleted; bad Python versions refused.
    const outside = join(world.root, "precious");
    await Deno.mkdir(outside);
    const refused = await helpers(world, `create_env conda '${outside}' 3.12`);
    assertEquals(refused.code, 1);
    assertMatch(refused.stderr, /refusing to delete/);
    assert((await Deno.stat(outside)).isDirectory);
    const badPython = await helpers(world, "create_env conda ./env '3.12 nodejs'");
    assertEquals([badPython.code, badPython.calls], [1, []]);
  });
});
