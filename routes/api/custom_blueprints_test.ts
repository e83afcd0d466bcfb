import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";

const BLUEPRINT = (category: string) =>
  `#!/bin/bash\n### AIKORE-METADATA-START ###\n# aikore.category = ${category}\n` +
  `# aikore.venv_type = none\n### AIKORE-METADATA-END ###\necho mine\nsleep 100\n`;

Deno.test("a custom blueprint can be read and deleted; one an instance is made from is kept, saying which", async () => {
  const h = await startHarness();
  try {
    for (const file of ["Mine.sh", "Used.sh"]) {
      const saved = await h.json("POST", "/api/system/blueprints/custom", {
        filename: file,
        content: BLUEPRINT("Mine"),
      });
      assertEquals(saved.status, 201);
    }
    const read = await h.request("GET", "/api/system/blueprints/custom/Mine.sh");
    assertEquals(read.status, 200);
    assertEquals(await read.text(), BLUEPRINT("Mine"));

    const user = await h.json("POST", "/api/instances", {
      name: "user",
      base_blueprint: "Used.sh",
    });
    assertEquals(user.status, 201, JSON.stringify(user.body));
    const kept = await h.json("DELETE", "/api/system/blueprints/custom/Used.sh");
    assertEquals(kept.status, 409);
    assertEquals(kept.body.error.code, "in_use");
    assertEquals(kept.body.error.details.instances, ["user"]);
    assertMatch(kept.body.error.message, /"Used\.sh" is the blueprint of user/);

    const deleted = await h.request("DELETE", "/api/system/blueprints/custom/Mine.sh");
    assertEquals(deleted.status, 204);
    const list = await h.json("GET", "/api/system/blueprints");
    assertEquals(list.body.custom.map((b: { filename: string }) => b.filename), ["Used.sh"]);
    const audit = h.services.audit.list({ limit: 10 }).map((e) => `${e.action} ${e.target}`);
    assert(audit.includes("blueprint.delete Mine.sh"), audit.join(", "));

    assertEquals((await h.json("DELETE", "/api/system/blueprints/custom/Mine.sh")).status, 404);
    assertEquals((await h.json("GET", "/api/system/blueprints/custom/Mine.sh")).status, 404);
    const stock = await h.json("DELETE", "/api/system/blueprints/custom/http_app.sh");
    assertEquals(stock.status, 404, "a stock blueprint is never deleted");
    for (const bad of ["..%2Fx.sh", "x.txt", "%2Fetc%2Fpasswd"]) {
      const refused = await h.json("DELETE", `/api/system/blueprints/custom/${bad}`);
      assert([404, 422].includes(refused.status), `${bad}: ${refused.status}`);
    }
  } finally {
    await h.close();
  }
});

Deno.test("a link planted as a custom blueprint is never read through, and deleting it removes only the link", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  try {
    await Deno.writeTextFile(`${outside}/secret.sh`, "TOP-SECRET\n");
    const dir = h.services.paths.customBlueprintsDir;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.symlink(`${outside}/secret.sh`, `${dir}/Linked.sh`);
    const read = await h.request("GET", "/api/system/blueprints/custom/Linked.sh");
    const text = await read.text();
    assertEquals(read.status, 409, text);
    assert(!text.includes("TOP-SECRET"));
    assertEquals(
      (await h.request("DELETE", "/api/system/blueprints/custom/Linked.sh")).status,
      204,
    );
    assertEquals(await Deno.readTextFile(`${outside}/secret.sh`), "TOP-SECRET\n", "target kept");
    assertEquals(await Deno.lstat(`${dir}/Linked.sh`).catch(() => null), null, "the link is gone");
  } finally {
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});
