/**
 * Checkouts found under an instance folder with the commit of each HEAD, read from git's files
 * (never by running git): branches (loose and packed), a detached HEAD, nested checkouts; links,
 * the environment and folders too deep are not searched.
 */
import { assertEquals } from "../../tests/helpers/assert.ts";
import { findCheckouts, headCommit } from "./git_checkouts.ts";

const GIT_ENV = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@t",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@t",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_SYSTEM: "/dev/null",
  HOME: "/nonexistent",
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, env: GIT_ENV, clearEnv: false }).output();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

/** A repository at `dir` with one commit; its SHA. */
async function repo(dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  await git(dir, "init", "-q", "-b", "main");
  await Deno.writeTextFile(`${dir}/file`, dir);
  await git(dir, "add", "file");
  await git(dir, "commit", "-qm", "one");
  return await git(dir, "rev-parse", "HEAD");
}

Deno.test("findCheckouts: each checkout's HEAD commit, nested ones too; links, env and depth respected", async () => {
  const root = await Deno.makeTempDir({ prefix: "aikore-checkouts-" });
  const outside = await Deno.makeTempDir({ prefix: "aikore-checkouts-out-" });
  try {
    const app = await repo(`${root}/ComfyUI`);
    const node = await repo(`${root}/ComfyUI/custom_nodes/Manager`);
    // Packed refs (as after `git gc`), and a detached HEAD.
    const packed = await repo(`${root}/kohya`);
    await git(`${root}/kohya`, "pack-refs", "--all");
    await git(`${root}/kohya`, "checkout", "-q", "--detach");
    await repo(`${root}/env/lib/site/pkg`);
    await repo(`${root}/a/b/c/too-deep`);
    await repo(`${outside}/linked`);
    await Deno.symlink(`${outside}/linked`, `${root}/linked`);
    assertEquals(await findCheckouts(root, ["env"]), {
      ComfyUI: app,
      "ComfyUI/custom_nodes/Manager": node,
      kohya: packed,
    });
    assertEquals(headCommit(root, "kohya/.git"), packed);
    await git(`${root}/ComfyUI`, "checkout", "-q", "main");
    await git(`${root}/kohya`, "checkout", "-q", "main");
    assertEquals(headCommit(root, "kohya/.git"), packed, "a branch only in packed-refs");
    assertEquals(await findCheckouts(`${root}/nothing-here`, []), {});
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("headCommit refuses refs that climb out and HEAD files that are links", async () => {
  const root = await Deno.makeTempDir({ prefix: "aikore-checkouts-" });
  try {
    await Deno.mkdir(`${root}/app/.git`, { recursive: true });
    await Deno.writeTextFile(`${root}/secret`, `${"f".repeat(40)}\n`);
    await Deno.writeTextFile(`${root}/app/.git/HEAD`, "ref: refs/../../secret\n");
    assertEquals(headCommit(root, "app/.git"), null);
    await Deno.remove(`${root}/app/.git/HEAD`);
    await Deno.symlink(`${root}/secret`, `${root}/app/.git/HEAD`);
    assertEquals(headCommit(root, "app/.git"), null);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
