/** Git for tests: an identity and no user or system configuration (hermetic), and a runner. */

/** The environment every test's git runs with. */
export const GIT_ENV: Readonly<Record<string, string>> = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.invalid",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

/** Runs git in `cwd`; its trimmed stdout, or an error with its stderr. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, env: GIT_ENV }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (!out.success) throw new Error(`git ${args.join(" ")}: ${decode(out.stderr)}`);
  return decode(out.stdout).trim();
}

/** A repository at `dir` (created) with one commit on main; the commit's SHA. */
export async function gitRepo(dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  await git(dir, "init", "-q", "-b", "main");
  await Deno.writeTextFile(`${dir}/file`, dir);
  await git(dir, "add", "file");
  await git(dir, "commit", "-qm", "one");
  return await git(dir, "rev-parse", "HEAD");
}
