/**
 * A named pipe planted where AiKore reads an instance's files: opening one for reading blocks
 * until a writer comes, and AiKore's confined open is a synchronous call, so a blocked open
 * would freeze every request and stream. Each read must refuse the pipe at once.
 */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { type Harness, startHarness } from "../../tests/helpers/harness.ts";
import { fifoRescuer, plantFifo, REFUSED_WITHIN_MS } from "../../tests/helpers/planted_fifo.ts";

async function timed(run: () => Promise<{ status: number; text: string }>) {
  const started = performance.now();
  const result = await run();
  return { ...result, ms: performance.now() - started };
}

async function call(h: Harness, path: string) {
  const response = await h.request("GET", path);
  return { status: response.status, text: await response.text() };
}

Deno.test("a named pipe planted as a log or a script is refused at once, never waited on", async () => {
  const h = await startHarness();
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "piper",
      base_blueprint: "http_app.sh",
    });
    assertEquals(created.status, 201);
    const { id, slug } = created.body as { id: number; slug: string };
    const dir = h.services.paths.instanceDir(slug);
    const log = h.services.paths.logFile(slug);
    await Deno.mkdir(h.services.paths.logsDir(slug), { recursive: true });
    const cases: Array<{ name: string; pipe: string; run: () => Promise<unknown> }> = [
      { name: "log read", pipe: log, run: () => call(h, `/api/instances/${id}/logs?offset=0`) },
      { name: "log download", pipe: log, run: () => call(h, `/api/instances/${id}/logs/download`) },
      { name: "run log", pipe: log, run: () => call(h, `/api/instances/${id}/runs/0/log`) },
      {
        name: "script read",
        pipe: `${dir}/launch.sh`,
        run: () => call(h, `/api/instances/${id}/file?file_type=script`),
      },
      {
        name: "last lines of a failed run",
        pipe: log,
        run: () => {
          h.services.store.transition(id, "error", { statusMessage: "test" });
          return call(h, `/api/instances/${id}`);
        },
      },
    ];
    for (const { name, pipe, run } of cases) {
      await plantFifo(pipe);
      const helper = fifoRescuer(pipe);
      try {
        const result = await timed(run as () => Promise<{ status: number; text: string }>);
        assert(
          result.ms < REFUSED_WITHIN_MS,
          `${name}: answered after ${Math.round(result.ms)} ms`,
        );
        assert(!result.text.includes("rescued"), `${name}: read the pipe: ${result.text}`);
        if (name === "last lines of a failed run") {
          assertEquals(result.status, 200, name);
          assertEquals(JSON.parse(result.text).last_output, null, name);
        } else {
          assertEquals(result.status, 409, `${name}: ${result.text}`);
          assertEquals(JSON.parse(result.text).error.code, "unsafe_path", name);
        }
      } finally {
        helper.kill("SIGKILL");
        await helper.status;
        await Deno.remove(pipe);
      }
    }
  } finally {
    await h.close();
  }
});
