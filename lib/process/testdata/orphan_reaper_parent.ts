/**
 * As main.ts does: child subreaper + orphan reaper. An orphan (the `sleep` left by a shell that
 * exits at once) dies as AiKore's zombie and must be reaped; a Deno.Command child's own status
 * must still arrive. Prints one JSON line.
 */
import { silentLogger } from "../../log/mod.ts";
import { readPidStat } from "../../procfs/mod.ts";
import { becomeChildSubreaper } from "../mod.ts";
import { startOrphanReaper } from "../orphan_reaper.ts";

const subreaper = becomeChildSubreaper();
const reaper = startOrphanReaper(silentLogger, { intervalMs: 60_000 });
const shell = await new Deno.Command("sh", {
  args: ["-c", "sleep 0.2 & echo $!"],
  stdout: "piped",
}).output();
const orphan = Number(new TextDecoder().decode(shell.stdout).trim());
const adopted = readPidStat(orphan)?.ppid === Deno.pid;
const own = new Deno.Command("sleep", { args: ["0.5"] }).spawn();
const end = performance.now() + 5000;
while (readPidStat(orphan)?.state !== "Z" && performance.now() < end) {
  await new Promise((r) => setTimeout(r, 20));
}
const zombie = readPidStat(orphan)?.state === "Z";
reaper.scan(); // first sight: only noted
const afterOne = readPidStat(orphan) !== null;
reaper.scan(); // second sight: reaped
const gone = readPidStat(orphan) === null;
const ownStatus = await own.status;
reaper.stop();
const result = {
  subreaper,
  adopted,
  zombie,
  afterOne,
  gone,
  reaped: reaper.reaped,
  own: ownStatus.code,
};
await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(result) + "\n"));
