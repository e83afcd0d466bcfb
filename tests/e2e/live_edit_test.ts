/**
 * Regression test for the old dashboard's worst habit: live updates discarding what the user
 * types. While the user types into a row and into the new-instance row, other instances start
 * and stop and the edited row itself changes status and gets a server-side change: every typed
 * character stays, focus stays, untouched fields follow the server, statuses stay live.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { startBrowserHarness } from "../helpers/browser.ts";
import { row, waitForStatus } from "./dashboard_page.ts";

type Dto = { id: number; slug: string };

Deno.test({
  name: "typing in rows while statuses change live: nothing typed is lost",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const b = await startBrowserHarness();
    try {
      const create = async (name: string) =>
        (await (await b.harness.fetch("/api/instances", {
          method: "POST",
          body: JSON.stringify({ name, base_blueprint: "log_ready.sh" }),
        })).json()) as Dto;
      const alpha = await create("alpha");
      const beta = await create("beta");
      const act = (id: number, verb: "start" | "stop") =>
        b.harness.fetch(`/api/instances/${id}/${verb}`, { method: "POST" })
          .then((r) => r.body?.cancel());
      const put = (id: number, body: unknown) =>
        b.harness.fetch(`/api/instances/${id}`, { method: "PUT", body: JSON.stringify(body) })
          .then((r) => r.body?.cancel());
      const { page } = b;
      await b.login();

      const name = row(page, "alpha").getByLabel("Name of alpha");
      await name.click();
      await name.press("End");
      const typing = page.keyboard.type(" renamed while things happen", { delay: 25 });
      // Meanwhile the server changes everything around the field being typed into.
      await act(beta.id, "start");
      await act(alpha.id, "start");
      await put(alpha.id, { autostart: true });
      await waitForStatus(page, "beta", "started");
      await act(beta.id, "stop");
      await typing;
      await waitForStatus(page, "beta", "stopped");
      await waitForStatus(page, "alpha", "started");

      assertEquals(await name.inputValue(), "alpha renamed while things happen");
      assert(await name.evaluate((el) => el === document.activeElement), "focus was lost");
      assertEquals(await page.locator("tr.row-dirty").count(), 1);
      // The field the user did not touch follows the server.
      assert(await row(page, "alpha").getByLabel("Autostart alpha").isChecked());

      // The new-instance row is local state: live updates never remove or reset it.
      await page.click('[data-action="add-instance"]');
      const fresh = page.locator("tr[data-new-row]").getByLabel("Name of the new instance");
      const typingNew = fresh.pressSequentially("gamma draft", { delay: 25 });
      await act(alpha.id, "stop");
      await act(beta.id, "start");
      await typingNew;
      await waitForStatus(page, "alpha", "stopped");
      await waitForStatus(page, "beta", "started");
      assertEquals(await fresh.inputValue(), "gamma draft");
      assertEquals(await name.inputValue(), "alpha renamed while things happen");
      assertEquals(
        await page.locator("tr[data-new-row]").getByLabel("Slug of the new instance")
          .inputValue(),
        "gamma-draft",
      );
      await act(beta.id, "stop");
      assertEquals(await b.collectProblems(), []);
    } finally {
      await b.close();
    }
  },
});
