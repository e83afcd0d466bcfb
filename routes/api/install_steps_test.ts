/**
 * Install progress through the real program's parts: a blueprint names its step with
 * functions.sh's `aikore_step`; the instance shows it while starting, clears it once healthy,
 * and names it when the run ends there. The last run's step never shows in a new run.
 */
import { assertEquals } from "../../tests/helpers/assert.ts";
import { startHarness, waitForStatus } from "../../tests/helpers/harness.ts";

Deno.test("a starting instance shows its blueprint's step, clears it when healthy, names it when the install fails", async () => {
  const h = await startHarness();
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "steps",
      base_blueprint: "install_steps.sh",
    });
    assertEquals(created.status, 201);
    const id = created.body.id as number;
    const dir = `${h.dataDir}/instances/steps`;
    await Deno.writeTextFile(`${dir}/.aikore-step`, "a step of the last run\n");
    // The app waits on this FIFO before it names any step.
    await new Deno.Command("mkfifo", { args: [`${dir}/go`] }).output();
    const messages: (string | null)[] = [];
    const unsubscribe = h.services.bus.subscribe(() => {
      const message = h.services.store.get(id)?.statusMessage ?? null;
      if (messages.at(-1) !== message) messages.push(message);
    });
    /** Resolves once the instance's message is `text` (the step file is read every second). */
    const messageIs = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => h.services.store.get(id)?.statusMessage === text;
        if (check()) return resolve();
        const stop = h.services.bus.subscribe(() => {
          if (check()) (stop(), resolve());
        });
      });
    const answer = async (line: string) => {
      const fifo = await Deno.open(`${dir}/go`, { write: true });
      await fifo.write(new TextEncoder().encode(`${line}\n`));
      fifo.close();
    };
    try {
      assertEquals((await h.json("POST", `/api/instances/${id}/start`)).status, 200);
      // The app waits for "begin": the last run's step was removed before it was spawned.
      assertEquals(await Deno.lstat(`${dir}/.aikore-step`).catch((e) => e.name), "NotFound");
      await answer("begin");
      await messageIs("Installing the test app");
      const shown = await h.json("GET", `/api/instances/${id}`);
      assertEquals([shown.body.status, shown.body.status_message], [
        "starting",
        "Installing the test app",
      ]);
      await answer("go");
      await waitForStatus(h, id, "started");
      assertEquals(h.services.store.get(id)?.statusMessage, null);
      assertEquals(messages.includes("a step of the last run"), false, JSON.stringify(messages));
      await h.json("POST", `/api/instances/${id}/stop`);

      await h.json("POST", `/api/instances/${id}/start`);
      await answer("begin");
      await messageIs("Installing the test app");
      await answer("fail");
      await waitForStatus(h, id, "exited");
      assertEquals(
        h.services.store.get(id)?.statusMessage,
        'The app ended by itself (exit code 4) at the step "Installing the test app"',
      );
    } finally {
      unsubscribe();
    }
  } finally {
    await h.close();
  }
});
