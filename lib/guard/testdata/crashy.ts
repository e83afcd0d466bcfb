/**
 * A program with the crash guard that then lets a promise reject unhandled and throws from a
 * timer callback, like a bug in a background task would; it must keep serving afterwards.
 * Prints "served <status>" after fetching from its own server, then exits 0.
 */
import { createLogger } from "../../log/mod.ts";
import { installCrashGuard } from "../mod.ts";

installCrashGuard(createLogger("error", "crashy"));
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: () => {} },
  () => new Response("alive"),
);
class TransitionError extends Error {
  override name = "TransitionError";
}
void Promise.reject(new TransitionError('cannot go from "stopped" to "exited"'));
setTimeout(() => {
  throw new RangeError("thrown in a timer");
}, 10);
await new Promise((resolve) => setTimeout(resolve, 100));
const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
const text = `served ${response.status} ${await response.text()}\n`;
Deno.stdout.writeSync(new TextEncoder().encode(text));
await server.shutdown();
