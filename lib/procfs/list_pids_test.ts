import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { listPids } from "./list_pids.ts";

Deno.test("listPids returns only all-digit entries, across several getdents64 batches", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 1500 five-digit entries (32 bytes each) do not fit one 32 KiB getdents64 buffer.
    const expected = new Set<number>();
    for (let pid = 10_000; pid < 11_500; pid++) {
      Deno.mkdirSync(`${dir}/${pid}`);
      expected.add(pid);
    }
    for (const name of ["self", "12ab", "sys", "a1"]) Deno.mkdirSync(`${dir}/${name}`);
    await Deno.writeTextFile(`${dir}/stat`, "");
    assertEquals(listPids(dir), expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listPids sees this process and a new child in /proc", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const pids = listPids("/proc");
    assert(pids.has(Deno.pid) && pids.has(child.pid), `${Deno.pid} and ${child.pid} listed`);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});
