/**
 * Runs every benchmark in tools/bench one after the other and prints their figures.
 *
 *   deno task bench              all of them
 *   deno task bench status pty   only those whose file name contains one of the words
 */
const SUPPORT = /(_support|_client|_server|run_all)\.ts$/;
const dir = new URL(".", import.meta.url).pathname;
const filters = Deno.args;
const files = [...Deno.readDirSync(dir)]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith(".ts") && !SUPPORT.test(name) && !name.startsWith("_"))
  .filter((name) => filters.length === 0 || filters.some((word) => name.includes(word)))
  .sort();
const encoder = new TextEncoder();
let failed = 0;
for (const file of files) {
  Deno.stdout.writeSync(encoder.encode(`\n=== ${file}\n`));
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${dir}${file}`],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  if (!status.success) failed++;
}
Deno.stdout.writeSync(
  encoder.encode(`\n${files.length - failed} benchmarks ran, ${failed} failed\n`),
);
Deno.exit(failed ? 1 : 0);
