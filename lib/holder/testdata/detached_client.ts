/**
 * A stand-in for AiKore in the survival test: starts a holder for the plan given as JSON in
 * argv[0], attaches, prints "ready <holder pid> <app pid>" and then "seen N" for every counter
 * line, until it is killed.
 */
import { HolderConnection, spawnHolder } from "../mod.ts";
import type { HolderPlan } from "../launch_spec.ts";

const plan = JSON.parse(Deno.args[0] ?? "{}") as HolderPlan;
const handle = await spawnHolder(plan, { binary: Deno.args[1] ?? "" });
const connection = await HolderConnection.connect(handle.socketPath);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const say = (line: string) => Deno.stdout.writeSync(encoder.encode(line + "\n"));
say(`ready ${handle.holderPid} ${handle.appPid}`);
await connection.attach({}, {
  onOutput(chunk) {
    for (const match of decoder.decode(chunk).matchAll(/line (\d+)/g)) say(`seen ${match[1]}`);
  },
});
await connection.closed;
