/**
 * Checkouts found under an instance folder with the commit of each HEAD, read from git's files
 * (never by running git): branches (loose and packed), a detached HEAD, nested checkouts; links,
 * the environment and folders too deep are not searched.
 */
import { assertEquals } from "../../tests/helpers/assert.ts";
import { findCheckouts, headCommit } from "./git_checkouts.ts";
import { git, gitRepo as repo } from "../../tests/helpers/git.ts";

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
