/**
 * Test program: starts one held shell per id in argv[1..] under root argv[0], prints
 * "ready <shell pid> …" and waits to be killed (what a crash of AiKore leaves behind).
 */
import { spawnHeldShell } from "../held_shell.ts";

const [binary = "", root = "", ...ids] = Deno.args;
const shells = await Promise.all(ids.map((id, index) =>
  spawnHeldShell({ binary, root }, {
    id,
    instanceId: index + 1,
    createdAt: Date.now(),
    argv: ["bash", "--norc", "--noprofile", "-i"],
    env: { PATH: "/usr/bin:/bin", HOME: "/tmp", PS1: "$ " },
    cwd: "/tmp",
    cols: 80,
    rows: 24,
    scrollbackBytes: 65536,
  })
));
Deno.stdout.writeSync(new TextEncoder().encode(`ready ${shells.map((s) => s?.pid).join(" ")}\n`));
setInterval(() => {}, 1 << 30);
