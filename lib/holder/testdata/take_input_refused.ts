/**
 * takeHolderInput against a holder that does not know the request, and against no socket at
 * all, in a process of its own: its descriptor count before and after is not disturbed by
 * other test files running in parallel in the test process. Prints one JSON line.
 */
import { frame, Msg } from "../protocol.ts";
import { takeHolderInput } from "../take_input.ts";

const dir = Deno.args[0] ?? "";
const listener = Deno.listen({ transport: "unix", path: `${dir}/holder.sock` });
const oldHolder = (async () => {
  const conn = await listener.accept();
  await conn.read(new Uint8Array(64));
  await conn.write(frame(Msg.error, new TextEncoder().encode("unknown message type")));
  conn.close();
})();
const openDescriptors = () => [...Deno.readDirSync("/proc/self/fd")].length;
const before = openDescriptors();
const refused = await takeHolderInput(`${dir}/holder.sock`);
const missing = await takeHolderInput(`${dir}/none.sock`);
await oldHolder;
const after = openDescriptors();
listener.close();
const answer = { refused, missing, before, after };
Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(answer) + "\n"));
