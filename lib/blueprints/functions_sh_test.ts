import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { GIT_ENV } from "../../tests/helpers/git.ts";

const FUNCTIONS = new URL("../../blueprints/functions.sh", import.meta.url).pathname;

interface BashResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `script` in real bash with functions.sh sourced under `set -euo pipefail`. */
async function bash(
  script: string,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<BashResult> {
  const output = await new Deno.Command("bash", {
    args: ["-c", `set -euo pipefail; source "$AIKORE_FUNCTIONS"; ${script}`],
    env: { AIKORE_FUNCTIONS: FUNCTIONS, ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function ok(script: string, options: Parameters<typeof bash>[1] = {}): Promise<string> {
  const result = await bash(script, options);
  assertEquals(result.code, 0, `${script}\n${result.stderr}`);
  return result.stdout;
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-functions-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const read = (path: string) => Deno.readTextFile(path);
const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

Deno.test("link_shared_folder moves existing content into the store and links the folder", async () => {
  await withTemp(async (dir) => {
    const app = join(dir, "app/models/checkpoints");
    const store = join(dir, "store/checkpoints");
    await Deno.mkdir(join(app, "sub"), { recursive: true });
    await Deno.writeTextFile(join(app, "a.safetensors"), "A");
    await Deno.writeTextFile(join(app, ".hidden"), "H");
    await Deno.writeTextFile(join(app, "sub/b.bin"), "B");
    await Deno.mkdir(join(store, "sub"), { recursive: true });
    await Deno.writeTextFile(join(store, "sub/c.bin"), "C");
    await ok(`link_shared_folder '${app}' '${store}'`);
    assertEquals(await Deno.readLink(app), store);
    assertEquals(await read(join(store, "a.safetensors")), "A");
    assertEquals(await read(join(store, ".hidden")), "H");
    assertEquals(await read(join(store, "sub/b.bin")), "B");
    assertEquals(await read(join(store, "sub/c.bin")), "C");
    assertEquals(await read(join(app, "sub/b.bin")), "B");
    // A second run is a no-op.
    await ok(`link_shared_folder '${app}' '${store}'`);
    assertEquals(await Deno.readLink(app), store);
  });
});

Deno.test("link_shared_folder never overwrites the store: clashing files are kept aside", async () => {
  await withTemp(async (dir) => {
    const app = join(dir, "app/output");
    const store = join(dir, "store");
    await Deno.mkdir(app, { recursive: true });
    await Deno.mkdir(store);
    await Deno.writeTextFile(join(app, "same.png"), "from app");
    await Deno.writeTextFile(join(app, "new.png"), "new");
    await Deno.writeTextFile(join(store, "same.png"), "from store");
    const result = await bash(`link_shared_folder '${app}' '${store}'`);
    assertEquals(result.code, 0, result.stderr);
    assertMatch(result.stderr, /aside in .*output\.aikore-conflicts-/);
    assertEquals(await read(join(store, "same.png")), "from store");
    assertEquals(await read(join(store, "new.png")), "new");
    const aside = [...Deno.readDirSync(join(dir, "app"))].map((e) => e.name)
      .find((n) => n.startsWith("output.aikore-conflicts-"));
    assert(aside, "the clashing folder was not kept");
    assertEquals(await read(join(dir, "app", aside, "same.png")), "from app");
    assertEquals(await Deno.readLink(app), store);
  });
});

Deno.test("link_shared_folder replaces a link to elsewhere and refuses a store inside the link", async () => {
  await withTemp(async (dir) => {
    const old = join(dir, "old");
    await Deno.mkdir(old);
    await Deno.writeTextFile(join(old, "keep"), "K");
    await Deno.symlink(old, join(dir, "link"));
    await ok(`link_shared_folder '${dir}/link' '${dir}/new'`);
    assertEquals(await Deno.readLink(join(dir, "link")), join(dir, "new"));
    assertEquals(await read(join(old, "keep")), "K");
    await Deno.mkdir(join(dir, "x"));
    const inside = await bash(`link_shared_folder '${dir}/x' '${dir}/x/store'`);
    assertEquals(inside.code, 1);
    assertMatch(inside.stderr, /is inside/);
    assertEquals((await Deno.lstat(join(dir, "x"))).isDirectory, true);
  });
});

Deno.test("link_model_folder links under AIKORE_DATA_MODELS; sl_folder keeps the old form", async () => {
  await withTemp(async (dir) => {
    const env = { AIKORE_DATA_MODELS: join(dir, "models") };
    await ok(`link_model_folder '${dir}/app/loras' loras`, { env });
    assertEquals(await Deno.readLink(join(dir, "app/loras")), join(dir, "models/loras"));
    for (const bad of ["../escape", "/abs", "a/./b"]) {
      const result = await bash(`link_model_folder '${dir}/app/x' '${bad}'`, { env });
      assertEquals(result.code, 1, bad);
    }
    assertEquals(await exists(join(dir, "escape")), false);
    const unset = await bash(`link_model_folder '${dir}/app/y' vae`);
    assertMatch(unset.stderr, /AIKORE_DATA_MODELS is not set/);
    await ok(`sl_folder '${dir}/app' vae '${dir}/models' vae`);
    assertEquals(await Deno.readLink(join(dir, "app/vae")), join(dir, "models/vae"));
  });
});

Deno.test("clean_env deletes the env only when the rebuild marker exists, then consumes it", async () => {
  await withTemp(async (dir) => {
    const instance = join(dir, "instances/comfy");
    await Deno.mkdir(join(instance, "env/bin"), { recursive: true });
    const env = { INSTANCE_CONF_DIR: instance };
    await ok(`clean_env ./env`, { cwd: instance, env });
    assertEquals(await exists(join(instance, "env/bin")), true);
    await Deno.writeTextFile(join(instance, ".rebuild-env"), "");
    await ok(`clean_env ./env`, { cwd: instance, env });
    assertEquals(await exists(join(instance, "env")), false);
    assertEquals(await exists(join(instance, ".rebuild-env")), false);
  });
});

Deno.test("clean_env refuses to delete anything outside the instance folder", async () => {
  await withTemp(async (dir) => {
    const instance = join(dir, "inst");
    const outside = join(dir, "precious");
    await Deno.mkdir(instance);
    await Deno.mkdir(outside);
    await Deno.writeTextFile(join(instance, ".rebuild-env"), "");
    for (const target of [outside, `${instance}/../precious`, instance, "/"]) {
      const result = await bash(`clean_env '${target}'`, { env: { INSTANCE_CONF_DIR: instance } });
      assertEquals(result.code, 1, target);
      assertMatch(result.stderr, /refusing to delete/);
    }
    assertEquals(await exists(outside), true);
    assertEquals(await exists(join(instance, ".rebuild-env")), true);
    // An env that is a symlink: only the link goes, never what it points to.
    await Deno.symlink(outside, join(instance, "env"));
    await ok(`clean_env '${instance}/env'`, { env: { INSTANCE_CONF_DIR: instance } });
    assertEquals([await exists(join(instance, "env")), await exists(outside)], [false, true]);
  });
});

/** A local "upstream" repo: main (2 commits, tag v1 on the first), branch dev. */
async function makeUpstream(
  dir: string,
): Promise<{ c1: string; main: string; dev: string; up: string }> {
  const up = join(dir, "upstream");
  const out = await ok(
    `mkdir -p '${up}' && cd '${up}' && git init -q -b main &&
     echo one > file && git add file && git commit -qm one && git tag v1 && c1=$(git rev-parse HEAD) &&
     echo two > file && git commit -qam two &&
     git checkout -qb dev && echo dev > file && git commit -qam dev && git checkout -q main &&
     echo "$c1 $(git rev-parse main) $(git rev-parse dev)"`,
    { env: GIT_ENV },
  );
  const [c1 = "", main = "", dev = ""] = out.trim().split(" ");
  return { c1, main, dev, up };
}

const head = (repo: string) => ok(`git -C '${repo}' rev-parse HEAD`).then((s) => s.trim());

Deno.test("sync_repo follows the env var: default branch, tag, branch and commit", async () => {
  await withTemp(async (dir) => {
    const { c1, main, dev, up } = await makeUpstream(dir);
    const app = join(dir, "app");
    await ok(`ensure_repo '${up}' '${app}'`, { env: GIT_ENV });
    assertEquals(await head(app), main);
    await ok(`sync_repo GIT_REF '${app}'`, { env: { ...GIT_ENV, GIT_REF: "v1" } });
    assertEquals(await head(app), c1);
    await ok(`cd '${app}' && check_remote GIT_REF`, { env: { ...GIT_ENV, GIT_REF: "dev" } });
    assertEquals(await head(app), dev);
    assertEquals((await ok(`git -C '${app}' rev-parse --abbrev-ref HEAD`)).trim(), "dev");
    await ok(`sync_repo GIT_REF '${app}'`, { env: { ...GIT_ENV, GIT_REF: c1 } });
    assertEquals(await head(app), c1);
    // A new upstream commit is fetched; an unset variable means the default branch.
    await ok(`cd '${up}' && echo three > file && git commit -qam three`, { env: GIT_ENV });
    await ok(`sync_repo GIT_REF '${app}'`, { env: GIT_ENV });
    assertEquals(await head(app), await head(up));
    assertEquals(await read(join(app, "file")), "three\n");
  });
});

Deno.test("sync_repo stashes local edits, keeps untracked files and refuses bad refs", async () => {
  await withTemp(async (dir) => {
    const { c1, main, up } = await makeUpstream(dir);
    const app = join(dir, "app");
    await ok(`ensure_repo '${up}' '${app}' GIT_REF`, { env: GIT_ENV });
    await Deno.writeTextFile(join(app, "file"), "my edit\n");
    await Deno.writeTextFile(join(app, "untracked.txt"), "mine");
    const result = await bash(`sync_repo GIT_REF '${app}'`, { env: { ...GIT_ENV, GIT_REF: "v1" } });
    assertEquals(result.code, 0, result.stderr);
    assertMatch(result.stderr, /saved with git stash/);
    assertEquals([await head(app), await read(join(app, "file"))], [c1, "one\n"]);
    assertEquals(await read(join(app, "untracked.txt")), "mine");
    assertMatch(await ok(`git -C '${app}' stash show -p`), /\+my edit/);
    const marker = join(dir, "pwned");
    for (const ref of [`--upload-pack=touch ${marker}`, "main..dev", "no-such-ref", "a b"]) {
      const bad = await bash(`sync_repo GIT_REF '${app}'`, { env: { ...GIT_ENV, GIT_REF: ref } });
      assertEquals(bad.code, 1, ref);
      assertEquals(await head(app), c1, ref);
    }
    assertEquals(await exists(marker), false);
    const notRepo = await bash(`sync_repo GIT_REF '${dir}'`, {
      env: { ...GIT_ENV, GIT_REF: main },
    });
    assertMatch(notRepo.stderr, /is not a git checkout/);
  });
});

Deno.test("filter_requirements comments out the torch stack and nothing else", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(
      join(dir, "requirements.txt"),
      [
        "# a comment",
        "torch==2.1.0",
        "torchvision>=0.16 ; platform_system == 'Linux'",
        "Flash_Attn==2.5",
        "nvidia-cudnn-cu12",
        "xformers",
        "torch @ https://download.example/torch.whl",
        "git+https://example.invalid/bnb.git#egg=bitsandbytes",
        "torchmetrics==1.0",
        "numpy==1.26 # pinned",
        "--extra-index-url https://example.invalid/simple",
        "-r sub/more.txt",
        "-c constraints.txt",
        "einops\r",
      ].join("\n"),
    );
    await Deno.mkdir(join(dir, "sub"));
    await Deno.writeTextFile(join(dir, "sub/more.txt"), "torchaudio\nrequests");
    const excluded = await ok(`filter_requirements '${dir}/requirements.txt' '${dir}/out.txt'`);
    assertEquals(excluded.trim().split("\n"), [
      "torch",
      "torchvision",
      "flash-attn",
      "nvidia-cudnn-cu12",
      "xformers",
      "torch",
      "bitsandbytes",
      "torchaudio",
    ]);
    const kept = (await read(join(dir, "out.txt"))).split("\n").filter((l) =>
      l && !l.startsWith("#")
    );
    assertEquals(kept, [
      "torchmetrics==1.0",
      "numpy==1.26 # pinned",
      "--extra-index-url https://example.invalid/simple",
      "requests",
      `-c ${dir}/constraints.txt`,
      "einops",
    ]);
    const custom = await ok(`filter_requirements '${dir}/sub/more.txt' '${dir}/o2.txt'`, {
      env: { AIKORE_PIP_EXCLUDE: "^requests$" },
    });
    assertEquals(custom.trim(), "requests");
  });
});

async function venvWithPip(dir: string): Promise<string | null> {
  const venv = join(dir, "venv");
  const made = await bash(
    `python3 -m venv --without-pip --system-site-packages '${venv}' && '${venv}/bin/python' -m pip --version`,
  );
  return made.code === 0 ? `${venv}/bin/python -m pip` : null;
}

Deno.test("install_requirements runs pip once over the folder's filtered requirements", async () => {
  await withTemp(async (dir) => {
    const pip = await venvWithPip(dir);
    assert(pip, "python3 with pip and venv is needed (apt: python3-pip python3-venv)");
    const app = join(dir, "app");
    await Deno.mkdir(join(app, "nodes/one"), { recursive: true });
    await Deno.writeTextFile(join(app, "requirements.txt"), "torch==0.0.1\npip\n");
    await Deno.writeTextFile(join(app, "nodes/requirements.txt"), "xformers==0.0.1\n");
    const env = { AIKORE_PIP: pip, TMPDIR: dir, PIP_CONFIG_FILE: "/dev/null" };
    // --no-index: torch/xformers cannot be found, so success proves they were left out.
    const result = await bash(`install_requirements '${app}' --dry-run --no-index`, { env });
    assertEquals(result.code, 0, result.stderr);
    assertMatch(result.stderr, /not installing from .*app\/requirements\.txt: torch/);
    assertMatch(result.stderr, /not installing from .*nodes\/requirements\.txt: xformers/);
    assertMatch(result.stderr, /\[aikore\] step: Installing the Python packages of app\n/);
    const unfiltered = await bash(
      `install_requirements '${app}/requirements.txt' --dry-run --no-index`,
      {
        env: { ...env, AIKORE_PIP_EXCLUDE: "^$" },
      },
    );
    assert(unfiltered.code !== 0, "pip should fail to find torch without the filter");
    assertEquals(
      [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("aikore-req")).length,
      0,
    );
    const none = await bash(`install_requirements '${dir}/missing'`, { env });
    assertEquals(none.code, 1);
  });
});

Deno.test("aikore_step logs the step and writes it, one line of at most 200 characters, to AIKORE_STEP_FILE", async () => {
  await withTemp(async (dir) => {
    const file = join(dir, ".aikore-step");
    const env = { AIKORE_STEP_FILE: file };
    const result = await bash(`aikore_step "Installing" "PyTorch"`, { env });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stderr, "[aikore] step: Installing PyTorch\n");
    assertEquals(await read(file), "Installing PyTorch\n");
    await ok(`aikore_step $'two\\nlines\\tand a tab'`, { env });
    assertEquals(await read(file), "two lines and a tab\n");
    await ok(`aikore_step "$(printf 'x%.0s' {1..300})"`, { env });
    assertEquals(await read(file), `${"x".repeat(200)}\n`);
    assertEquals(await exists(`${file}.tmp`), false, "written by rename");
    // Without the variable, or where the file cannot be written, it only logs and never fails.
    assertEquals(await ok(`aikore_step "alone"; echo after`), "after\n");
    const unwritable = { AIKORE_STEP_FILE: join(dir, "missing-folder/step") };
    assertEquals(await ok(`aikore_step "x"; echo after`, { env: unwritable }), "after\n");
  });
});

Deno.test("the install helpers name their steps: clone, update, environment, start (requirements: above)", async () => {
  await withTemp(async (dir) => {
    const { up } = await makeUpstream(dir);
    const app = join(dir, "app");
    const steps = async (script: string, env: Record<string, string> = {}) => {
      const result = await bash(script, { env: { ...GIT_ENV, ...env } });
      return result.stderr.split("\n").filter((l) => l.startsWith("[aikore] step: "));
    };
    assertEquals(await steps(`ensure_repo '${up}' '${app}' GIT_REF`, { GIT_REF: "v1" }), [
      "[aikore] step: Downloading upstream (git clone)",
      "[aikore] step: Updating upstream (v1)",
    ]);
    assertEquals(await steps(`ensure_repo '${up}' '${app}'`), [
      "[aikore] step: Updating upstream (its default branch)",
    ]);
    const env = join(dir, "env");
    assertEquals(await steps(`create_env python '${env}' ''`), [
      "[aikore] step: Creating the python environment",
    ]);
    assertEquals(await steps(`create_env python '${env}' ''`), [], "a kept environment: no step");
    await Deno.writeTextFile(join(env, ".aikore-installed"), "stamp");
    assertEquals(await steps(`require_installed '${env}'`), ["[aikore] step: Starting the app"]);
  });
});
