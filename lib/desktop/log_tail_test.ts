/**
 * A desktop component's log is in the instance's folder, which its app can write: the tail
 * quoted in error messages is bounded and never read through a link or a pipe.
 */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { fifoRescuer, plantFifo, REFUSED_WITHIN_MS } from "../../tests/helpers/planted_fifo.ts";
import { logTail } from "./spawn_component.ts";

Deno.test("a component log's tail: the last lines of a large log; nothing from a link or a pipe", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-logtail-" });
  const outside = await Deno.makeTempDir({ prefix: "aikore-logtail-out-" });
  const rescuer = { child: null as Deno.ChildProcess | null };
  try {
    const lines = Array.from({ length: 100_000 }, (_, i) => `line ${i}`);
    await Deno.writeTextFile(`${dir}/xserver.log`, lines.join("\n") + "\n");
    assertEquals(logTail(`${dir}/xserver.log`, 3), "line 99997\nline 99998\nline 99999");
    assertEquals(logTail(`${dir}/missing.log`), "");

    await Deno.writeTextFile(`${outside}/secret`, "SECRET\n");
    await Deno.symlink(`${outside}/secret`, `${dir}/linked.log`);
    assertEquals(logTail(`${dir}/linked.log`), "");

    await plantFifo(`${dir}/piped.log`);
    rescuer.child = fifoRescuer(`${dir}/piped.log`);
    const started = performance.now();
    assertEquals(logTail(`${dir}/piped.log`), "");
    const ms = performance.now() - started;
    assert(ms < REFUSED_WITHIN_MS, `the tail of a pipe answered after ${Math.round(ms)} ms`);
  } finally {
    rescuer.child?.kill("SIGKILL");
    await rescuer.child?.status;
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
