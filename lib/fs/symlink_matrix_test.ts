/**
 * Issue 16 §1: every file operation AiKore does under an instance folder, the trash and the
 * custom blueprints, against links an app can plant there. Runs the real app (real SQLite, real
 * files, a real process for start) as whatever user runs the tests — root here, like the report.
 */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { type Harness, startHarness } from "../../tests/helpers/harness.ts";

type Kind = "file outside" | "folder outside" | "dangling" | "other instance";
const KINDS: Kind[] = ["file outside", "folder outside", "dangling", "other instance"];
const SECRET = "TOP-SECRET-CANARY";

interface Op {
  name: string;
  /** Where the link goes, relative to the victim's folder ("" is the folder itself). */
  file: string;
  folder: string;
  /** Runs the operation; returns the HTTP status and the body text. */
  run(h: Harness, ctx: Ctx): Promise<{ status: number; text: string }>;
  /** Accepted statuses: a refusal (409) unless the operation reports it another way. */
  expect?: (kind: Kind) => number[];
}

interface Ctx {
  victimId: number;
  outside: string;
  custom: string;
}

async function call(h: Harness, method: string, path: string, body?: unknown) {
  const response = await h.request(method, path, body);
  return { status: response.status, text: await response.text() };
}

const OPS: Op[] = [
  {
    name: "launch script read",
    file: "launch.sh",
    folder: "",
    run: (h, c) => call(h, "GET", `/api/instances/${c.victimId}/file?file_type=script`),
  },
  {
    name: "launch script write",
    file: "launch.sh",
    folder: "",
    run: (h, c) =>
      call(h, "PUT", `/api/instances/${c.victimId}/file?file_type=script`, { content: "echo x\n" }),
  },
  {
    name: "logs read",
    file: "logs/output.log",
    folder: "logs",
    run: (h, c) => call(h, "GET", `/api/instances/${c.victimId}/logs?offset=0`),
  },
  {
    name: "console replay of a stopped instance",
    file: "logs/output.log",
    folder: "logs",
    run: async (h, c) => {
      const response = await h.request("GET", `/api/instances/${c.victimId}/console`, undefined, {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      });
      return { status: response.status, text: await response.text() };
    },
  },
  {
    name: "log download",
    file: "logs/output.log",
    folder: "logs",
    run: (h, c) => call(h, "GET", `/api/instances/${c.victimId}/logs/download`),
  },
  {
    name: "earlier run's log",
    file: "logs/output.log",
    folder: "logs",
    run: (h, c) => call(h, "GET", `/api/instances/${c.victimId}/runs/0/log`),
  },
  {
    name: "log search",
    file: "logs/output.log",
    folder: "logs",
    run: (h, c) => call(h, "GET", `/api/instances/${c.victimId}/logs/search?q=secret`),
  },
  {
    name: "rebuild marker",
    file: ".rebuild-env",
    folder: "",
    run: (h, c) => call(h, "POST", `/api/instances/${c.victimId}/rebuild`),
  },
  {
    name: "start (run log)",
    file: "logs/output.log",
    folder: "logs",
    run: async (h, c) => {
      const result = await call(h, "POST", `/api/instances/${c.victimId}/start`);
      await h.request("POST", `/api/instances/${c.victimId}/stop`);
      return result;
    },
  },
  {
    name: "start (folders it creates)",
    file: "logs",
    folder: "",
    run: async (h, c) => {
      const result = await call(h, "POST", `/api/instances/${c.victimId}/start`);
      await h.request("POST", `/api/instances/${c.victimId}/stop`);
      return result;
    },
  },
  {
    name: "clone (launch.sh rewrite)",
    file: "launch.sh",
    folder: "",
    run: async (h, c) => {
      const copy = await call(h, "POST", `/api/instances/${c.victimId}/copy`, {
        new_name: "clone",
      });
      await h.services.instances.settled();
      const id = JSON.parse(copy.text).id as number;
      const after = await h.json("GET", `/api/instances/${id}`);
      await h.request("DELETE", `/api/instances/${id}`, { mode: "permanent" });
      // The copy itself is accepted (202); it ends with a note or an error naming the link.
      return { status: copy.status, text: String(after.body.status_message) };
    },
    expect: () => [202],
  },
  {
    name: "delete to trash (manifest)",
    file: ".aikore-trash.json",
    folder: "",
    run: (h, c) => call(h, "DELETE", `/api/instances/${c.victimId}`, { mode: "trash" }),
  },
];

async function snapshot(root: string): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  async function visit(dir: string) {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      const info = await Deno.lstat(path);
      if (info.isDirectory) {
        seen.set(path, `folder @${info.mtime?.getTime()}`);
        await visit(path);
      } else {
        const body = info.isFile
          ? await Deno.readTextFile(path)
          : `-> ${await Deno.readLink(path)}`;
        seen.set(path, `${body} @${info.mtime?.getTime()} ${info.mode}`);
      }
    }
  }
  await visit(root);
  return seen;
}

async function plantVictim(h: Harness, kind: Kind, op: Op, ctx: Ctx): Promise<void> {
  const dir = `${h.dataDir}/instances/victim`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${dir}/logs`, { recursive: true });
  await Deno.writeTextFile(`${dir}/launch.sh`, `#!/bin/bash\necho ${dir}\nsleep 100\n`);
  await Deno.writeTextFile(`${dir}/logs/output.log`, "real log line\n");
  const other = `${h.dataDir}/instances/other`;
  if (kind === "folder outside") {
    const at = op.folder === "" ? dir : `${dir}/${op.folder}`;
    await Deno.remove(at, { recursive: true });
    await Deno.symlink(`${ctx.outside}/dir${op.folder === "" ? "" : "/logs"}`, at);
    return;
  }
  const at = `${dir}/${op.file}`;
  await Deno.remove(at, { recursive: true }).catch(() => {});
  const target = kind === "file outside"
    ? `${ctx.outside}/canary.txt`
    : kind === "dangling"
    ? `${ctx.outside}/never-created`
    : `${other}/${op.file === ".aikore-trash.json" ? "launch.sh" : op.file}`;
  await Deno.symlink(target, at);
}

Deno.test("symlink matrix: every file operation refuses or ignores planted links; canaries untouched", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  try {
    assertEquals(Deno.uid(), 0, "the report's setting: AiKore runs as root");
    await Deno.writeTextFile(`${outside}/canary.txt`, `${SECRET} file\n`);
    await Deno.mkdir(`${outside}/dir/logs`, { recursive: true });
    for (const name of ["launch.sh", ".rebuild-env", ".aikore-trash.json", "logs/output.log"]) {
      await Deno.writeTextFile(`${outside}/dir/${name}`, `${SECRET} ${name}\n`);
    }
    const created = await h.json("POST", "/api/instances", {
      name: "victim",
      base_blueprint: "http_app.sh",
    });
    const other = await h.json("POST", "/api/instances", {
      name: "other",
      base_blueprint: "http_app.sh",
    });
    assertEquals([created.status, other.status], [201, 201]);
    const otherDir = `${h.dataDir}/instances/other`;
    await Deno.mkdir(`${otherDir}/logs`, { recursive: true });
    await Deno.writeTextFile(`${otherDir}/logs/output.log`, `${SECRET} other instance log\n`);
    await Deno.writeTextFile(`${otherDir}/launch.sh`, `#!/bin/bash\necho ${SECRET} other\n`);
    await Deno.writeTextFile(`${otherDir}/.rebuild-env`, `${SECRET} other marker\n`);
    const before = new Map([...(await snapshot(outside)), ...(await snapshot(otherDir))]);
    // Different mtimes would show a rewrite even with the same content.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const ctx: Ctx = { victimId: created.body.id, outside, custom: "" };
    // Every cell runs; the label says which one failed.
    const outcomes: string[] = [];
    for (const op of OPS) {
      for (const kind of KINDS) {
        await plantVictim(h, kind, op, ctx);
        const result = await op.run(h, ctx);
        const label = `${op.name} × ${kind}`;
        const allowed = op.expect?.(kind) ?? [409];
        assert(allowed.includes(result.status), `${label}: status ${result.status} ${result.text}`);
        assert(!result.text.includes(SECRET), `${label}: leaked ${result.text}`);
        if (result.status === 409) {
          assertEquals(JSON.parse(result.text).error.code, "unsafe_path", label);
        }
        outcomes.push(`${label}: ${result.status} ${result.text.slice(0, 100)}`);
        assert(await h.services.store.get(ctx.victimId), `${label}: the instance row is kept`);
      }
    }
    const after = new Map([...(await snapshot(outside)), ...(await snapshot(otherDir))]);
    assertEquals(
      [...after.entries()],
      [...before.entries()],
      "canaries unchanged, nothing created",
    );
    assertEquals(outcomes.length, OPS.length * KINDS.length);
  } finally {
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("symlink matrix: custom blueprint links are never read", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  try {
    await Deno.writeTextFile(`${outside}/canary.sh`, `#!/bin/bash\necho ${SECRET}\n`);
    await Deno.mkdir(`${outside}/dir.sh`);
    const other = await h.json("POST", "/api/instances", {
      name: "other",
      base_blueprint: "http_app.sh",
    });
    assertEquals(other.status, 201);
    const custom = `${h.dataDir}/custom_blueprints`;
    await Deno.mkdir(custom, { recursive: true });
    const targets: Record<Kind, string> = {
      "file outside": `${outside}/canary.sh`,
      "folder outside": `${outside}/dir.sh`,
      "dangling": `${outside}/never.sh`,
      "other instance": `${h.dataDir}/instances/other/launch.sh`,
    };
    for (const kind of KINDS) {
      await Deno.symlink(targets[kind], `${custom}/linked.sh`);
      const made = await h.json("POST", "/api/instances", {
        name: "fromlink",
        base_blueprint: "linked.sh",
      });
      assert([404, 409, 422].includes(made.status), `${kind}: ${made.status}`);
      assert(!JSON.stringify(made.body).includes(SECRET), `${kind}: leaked`);
      const listed = await h.request("GET", "/api/system/blueprints");
      assertEquals(listed.status, 200, `${kind}: one link does not break the listing`);
      assert(!(await listed.text()).includes(SECRET));
      await Deno.remove(`${custom}/linked.sh`);
    }
    assertEquals(await Deno.readTextFile(`${outside}/canary.sh`), `#!/bin/bash\necho ${SECRET}\n`);
    const all = await h.json("GET", "/api/instances");
    assertEquals(all.body.length, 1, "no instance was made from a link");
  } finally {
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("symlink matrix: restore never reads a linked manifest or trash entry", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  try {
    const made = await h.json("POST", "/api/instances", {
      name: "tr",
      base_blueprint: "http_app.sh",
    });
    const other = await h.json("POST", "/api/instances", {
      name: "other",
      base_blueprint: "http_app.sh",
    });
    assertEquals([made.status, other.status], [201, 201]);
    const removed = await h.json("DELETE", `/api/instances/${made.body.id}`, { mode: "trash" });
    assertEquals(removed.status, 200);
    const entry = removed.body.trash_id as string;
    const entryDir = `${h.dataDir}/trash/${entry}`;
    const manifest = await Deno.readTextFile(`${entryDir}/.aikore-trash.json`);
    await Deno.writeTextFile(`${outside}/manifest.json`, manifest);
    await Deno.mkdir(`${outside}/entry`);
    await Deno.writeTextFile(`${outside}/entry/.aikore-trash.json`, manifest);
    await Deno.rename(entryDir, `${h.dataDir}/trash-aside`);
    const before = await snapshot(outside);
    const targets: Record<Kind, string> = {
      "file outside": `${outside}/manifest.json`,
      "folder outside": `${outside}/entry`,
      "dangling": `${outside}/never.json`,
      "other instance": `${h.dataDir}/instances/other/launch.sh`,
    };
    for (const kind of KINDS) {
      if (kind === "folder outside") await Deno.symlink(targets[kind], entryDir);
      else {
        await Deno.rename(`${h.dataDir}/trash-aside`, entryDir);
        await Deno.remove(`${entryDir}/.aikore-trash.json`).catch(() => {});
        await Deno.symlink(targets[kind], `${entryDir}/.aikore-trash.json`);
      }
      const restored = await h.json("POST", `/api/trash/${entry}/restore`);
      assertEquals(restored.status, 409, `${kind}: ${JSON.stringify(restored.body)}`);
      assertEquals(restored.body.error.code, "unsafe_path", kind);
      const listed = await h.json("GET", "/api/trash");
      assertEquals(listed.status, 200, `${kind}: the listing survives the link`);
      assertEquals(listed.body.length ?? listed.body.entries?.length, 0, kind);
      if (kind === "folder outside") await Deno.remove(entryDir);
      else await Deno.rename(entryDir, `${h.dataDir}/trash-aside`);
    }
    const instances = await h.json("GET", "/api/instances");
    assertEquals(instances.body.map((i: { slug: string }) => i.slug), ["other"]);
    assertEquals(await snapshot(outside), before, "outside files unchanged");
  } finally {
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});
