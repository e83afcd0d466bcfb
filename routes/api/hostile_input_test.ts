/**
 * Security tests T10 (hostile names), T11 (invalid values planted in the database) and T13
 * (GPU, port and version fields) from the research notes: every refusal is a 4xx naming the
 * field, and nothing is written (rows, folders, canary files).
 */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { listDir, startHarness } from "../../tests/helpers/harness.ts";

const HOSTILE_NAMES = [
  "../../etc",
  "..",
  ".",
  "a/b",
  "a\\b",
  "%2e%2e",
  "%2e%2e%2f",
  "name;reboot",
  "$(id)",
  "`id`",
  "a\nb",
  "a\rb",
  "a b",
  "a\u0000b",
  "a".repeat(64),
  "",
  " ",
  "API",
  "api",
  "static",
  "instance",
  "login",
  "ａｐｉ",
  "\u0430pi",
  "-a",
  "a-",
  "_a",
  "a_b",
  "a.b",
  "a..b",
  "a'b",
  'a"b',
  "a{b}",
  "a$b",
  "a#b",
  "<script>",
  "a\tb",
  "a:b",
  "a@b",
  "a?b",
  "café",
  "a\u202eb",
  "/etc/passwd",
  "~root",
];

async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    for (const name of await listDir(dir)) {
      const path = `${dir}/${name}`;
      const info = await Deno.lstat(path);
      out.push(`${prefix}${name}${info.isDirectory ? "/" : ""}`);
      if (info.isDirectory) await walk(path, `${prefix}${name}/`);
    }
  };
  await walk(root, "");
  return out.filter((p) => !p.startsWith("aikore.db"));
}

async function withCanary<T>(work: (canary: string) => Promise<T>): Promise<T> {
  const canary = await Deno.makeTempFile({ prefix: "aikore-canary-" });
  await Deno.writeTextFile(canary, "canary");
  try {
    const result = await work(canary);
    assertEquals(await Deno.readTextFile(canary), "canary");
    return result;
  } finally {
    await Deno.remove(canary);
  }
}

Deno.test("T10: 44 hostile names are refused with 422 naming the field, nothing written", async () => {
  assert(HOSTILE_NAMES.length >= 40);
  const h = await startHarness();
  try {
    const parent =
      (await h.json("POST", "/api/instances", { name: "base", base_blueprint: "http_app.sh" }))
        .body;
    const before = await snapshot(h.dataDir);
    await withCanary(async () => {
      for (const hostile of HOSTILE_NAMES) {
        const asName = await h.json("POST", "/api/instances", {
          name: hostile,
          base_blueprint: "http_app.sh",
        });
        assertEquals(asName.status, 422, `create name ${JSON.stringify(hostile)}`);
        assertEquals(asName.body.error.details[0].field, "name");
        const asSlug = await h.json("POST", "/api/instances", {
          name: "fine",
          slug: hostile,
          base_blueprint: "http_app.sh",
        });
        assertEquals(asSlug.status, 422, `create slug ${JSON.stringify(hostile)}`);
        assertEquals(asSlug.body.error.details[0].field, "slug");
        const rename = await h.json("PUT", `/api/instances/${parent.id}`, { slug: hostile });
        assertEquals(rename.status, 422, `rename ${JSON.stringify(hostile)}`);
        for (const action of ["copy", "instantiate"]) {
          const result = await h.json("POST", `/api/instances/${parent.id}/${action}`, {
            new_name: hostile,
          });
          assertEquals(result.status, 422, `${action} ${JSON.stringify(hostile)}`);
          assertEquals(result.body.error.details[0].field, "new_name");
        }
      }
    });
    assertEquals(h.services.store.repo.count(), 1);
    assertEquals(await snapshot(h.dataDir), before);
    const duplicate = await h.json("POST", "/api/instances", {
      name: "base",
      base_blueprint: "http_app.sh",
    });
    assertEquals(duplicate.status, 409, "a duplicate slug is a conflict");
  } finally {
    await h.close();
  }
});

Deno.test("T13: GPU ids, ports and versions are accepted or refused per the table", async () => {
  const h = await startHarness({ gpuCount: 2 });
  try {
    const uuid = "GPU-12345678-1234-1234-1234-123456789abc";
    let n = 0;
    const create = (fields: Record<string, unknown>) =>
      h.json("POST", "/api/instances", {
        name: `t${n++}`,
        base_blueprint: "http_app.sh",
        ...fields,
      });
    for (const gpu of ["0", "0,1", "all", uuid]) {
      const result = await create({ gpu_ids: gpu });
      assertEquals(result.status, 201, `gpu ${gpu}`);
    }
    const rowsBefore = h.services.store.repo.count();
    const before = await snapshot(h.dataDir);
    const refusals: Array<[string, unknown]> = [
      ["gpu_ids", "0;rm -rf /"],
      ["gpu_ids", "-1"],
      ["gpu_ids", "99"],
      ["gpu_ids", "2"],
      ["gpu_ids", "0 1"],
      ["gpu_ids", "1,1"],
      ["gpu_ids", ""],
      ["gpu_ids", 0],
      ["port", 0],
      ["port", 80],
      ["port", 65536],
      ["port", -1],
      ["port", 1.5],
      ["port", "19001"],
      ["port", h.config.portRange.end + 1],
      ["python_version", '3.10"; touch /tmp/pwn; "'],
      ["torch_version", "$(touch /tmp/pwn)"],
      ["cuda_version", "12.8\n"],
      ["output_path", "../outside"],
      ["output_path", "/etc"],
      ["hostname", "a;b"],
      ["hostname", "Example.COM"],
      ["restart_policy", "always"],
    ];
    for (const [field, value] of refusals) {
      const result = await create({ [field]: value });
      assertEquals(result.status, 422, `${field}=${JSON.stringify(value)}`);
      assertEquals(result.body.error.details[0].field, field);
    }
    const taken = (await h.json("GET", "/api/instances")).body[0].port;
    const conflict = await create({ port: taken });
    assertEquals(conflict.status, 409);
    assertEquals(h.services.store.repo.count(), rowsBefore);
    assertEquals(await snapshot(h.dataDir), before);
    assertEquals(await Deno.stat("/tmp/pwn").then(() => true, () => false), false);
  } finally {
    await h.close();
  }
});

Deno.test("T11: invalid values planted in the database are refused by every operation", async () => {
  const h = await startHarness();
  try {
    const ok =
      (await h.json("POST", "/api/instances", { name: "good", base_blueprint: "http_app.sh" }))
        .body;
    const planted: Array<[string, string]> = [
      ["slug", "../../etc"],
      ["output_path", "../../outside"],
      ["gpu_ids", "0;rm -rf /"],
      ["hostname", "a;}server{"],
      ["python_version", '3.10"; touch /tmp/pwn; "'],
      ["blueprint", "../../bin/sh"],
    ];
    const ids: number[] = [];
    for (const [i, [column, value]] of planted.entries()) {
      const row = h.services.db.prepare(
        `INSERT INTO instances (name, slug, blueprint, output_path, created_at, updated_at)
         VALUES (?, ?, 'http_app.sh', ?, 'x', 'x') RETURNING id`,
      ).get(`legacy-${i}`, `legacy-${i}`, `legacy-${i}`) as { id: number };
      h.services.db.prepare(`UPDATE instances SET ${column} = ? WHERE id = ?`).run(value, row.id);
      ids.push(row.id);
    }
    const before = await snapshot(h.dataDir);
    await withCanary(async () => {
      for (const id of ids) {
        const calls: Array<[string, string, unknown?]> = [
          ["POST", `/api/instances/${id}/start`],
          ["POST", `/api/instances/${id}/stop`],
          ["POST", `/api/instances/${id}/restart`],
          ["POST", `/api/instances/${id}/rebuild`],
          ["POST", `/api/instances/${id}/version-check`],
          ["PUT", `/api/instances/${id}`, { slug: "renamed" }],
          ["PUT", `/api/instances/${id}`, { autostart: true }],
          ["GET", `/api/instances/${id}/logs`],
          ["GET", `/api/instances/${id}/logs/search?q=x`],
          ["GET", `/api/instances/${id}/file`],
          ["PUT", `/api/instances/${id}/file`, { content: "echo pwned" }],
          ["POST", `/api/instances/${id}/copy`, { new_name: "copy-x" }],
          ["POST", `/api/instances/${id}/instantiate`, { new_name: "sat-x" }],
          ["POST", `/api/instances/${id}/terminals`],
        ];
        for (const [method, path, body] of calls) {
          const result = await h.json(method, path, body);
          assertEquals(result.status, 409, `${method} ${path} → ${JSON.stringify(result.body)}`);
          assertEquals(result.body.error.code, "invalid_stored_instance");
        }
      }
    });
    assertEquals(await snapshot(h.dataDir), before);
    assertEquals(await Deno.stat("/tmp/pwn").then(() => true, () => false), false);
    const listed = (await h.json("GET", "/api/instances")).body as Array<
      { id: number; status_message: string }
    >;
    for (const id of ids) {
      assert(listed.find((i) => i.id === id)?.status_message.startsWith("Invalid stored value"));
    }
    assertEquals(
      (await h.json("GET", `/api/instances/${ok.id}`)).status,
      200,
      "the rest keeps working",
    );
    // Issue 16: an invalid row can always be deleted (a bad slug names no folder to touch).
    await withCanary(async () => {
      for (const id of ids) {
        const removed = await h.json("DELETE", `/api/instances/${id}`, { mode: "permanent" });
        assertEquals(removed.status, 200, `DELETE ${id} → ${JSON.stringify(removed.body)}`);
      }
    });
    assertEquals(await snapshot(h.dataDir), before, "deleting the rows touched no file");
  } finally {
    await h.close();
  }
});
