import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { ProcessTreeSampler } from "./process_tree_sampler.ts";

const MIB = 1024 ** 2;

/** Starts `bash -c script` and waits until its stdout has printed `lines` lines. */
function startTree(script: string) {
  const child = new Deno.Command("bash", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    pid: child.pid,
    /** The next line bash (or a child) prints. */
    async line(): Promise<string> {
      while (!buffered.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("the tree exited early");
        buffered += value;
      }
      const [line = "", ...rest] = buffered.split("\n");
      buffered = rest.join("\n");
      return line;
    },
    async stop() {
      await new Deno.Command("pkill", { args: ["-KILL", "-P", String(child.pid)] }).output();
      try {
        child.kill("SIGKILL");
      } catch {
        // bash already exited after its children were killed.
      }
      await child.status;
      await child.stdin.close();
      await reader.cancel();
    },
  };
}

Deno.test("a bash parent and its python child form one tree whose RSS includes 64 MiB", async () => {
  const tree = startTree(
    `python3 -c 'import os,sys,time; b=b"x"*(64<<20); print(os.getpid(), flush=True); time.sleep(60)' & sleep 60 & wait`,
  );
  try {
    const pythonPid = Number(await tree.line());
    const sampler = new ProcessTreeSampler();
    const trees = await sampler.sample([tree.pid, 999_999_999]);
    const sample = trees.get(tree.pid);
    assert(sample, "the tree is sampled");
    assertEquals(trees.has(999_999_999), false, "a missing root is left out");
    assertEquals(sample.rootPid, tree.pid);
    assertEquals(sample.pids.length, 3, `bash, python and sleep: ${sample.pids}`);
    assert(sample.pids.includes(pythonPid), `${sample.pids} includes ${pythonPid}`);
    assert(sample.rssBytes >= 64 * MIB, `RSS ${sample.rssBytes}`);
    assertEquals(sample.cpuPercent, 0, "no baseline yet");
    assert(sampler.livePids.has(pythonPid) && sampler.livePids.has(Deno.pid));
  } finally {
    await tree.stop();
  }
});

Deno.test("CPU% counts busy descendants, including children that exited between samples", async () => {
  // bash waits on its stdin (no child), then runs a busy child that exits and is reaped, then a
  // sleep that appears only after the first sample.
  const tree = startTree(
    `echo ready; read -t 0.2 line; python3 -c 'import time; t=time.time()
while time.time()-t < 0.5: pass'; sleep 30 & echo $!; wait`,
  );
  try {
    await tree.line();
    const sampler = new ProcessTreeSampler({ fullScanEvery: 1000 });
    const first = await sampler.sample([tree.pid]);
    assertEquals(first.get(tree.pid)?.pids, [tree.pid], "only bash so far");
    const sleepPid = Number(await tree.line());
    const second = (await sampler.sample([tree.pid])).get(tree.pid);
    assert(second, "tree still there");
    assertEquals(second.pids, [tree.pid, sleepPid], "the new child is found without a full rescan");
    assert(second.cpuPercent > 10, `the exited busy child is counted: ${second.cpuPercent}`);
  } finally {
    await tree.stop();
  }
});

Deno.test("the PID namespace is 'host' only when kthreadd is visible and NSpid has one level", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kthreadd = "2 (kthreadd) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 19 0 0\n";
    await Deno.mkdir(`${dir}/host/2`, { recursive: true });
    await Deno.mkdir(`${dir}/host/self`, { recursive: true });
    await Deno.writeTextFile(`${dir}/host/2/stat`, kthreadd);
    await Deno.writeTextFile(`${dir}/host/self/status`, "Name:\tdeno\nNSpid:\t4242\n");
    assertEquals(new ProcessTreeSampler({ procRoot: `${dir}/host` }).pidNamespace, "host");
    await Deno.writeTextFile(`${dir}/host/self/status`, "Name:\tdeno\nNSpid:\t4242\t7\n");
    assertEquals(new ProcessTreeSampler({ procRoot: `${dir}/host` }).pidNamespace, "nested");
    await Deno.mkdir(`${dir}/container/2`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/container/2/stat`,
      "2 (bash) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 19 0 0\n",
    );
    assertEquals(new ProcessTreeSampler({ procRoot: `${dir}/container` }).pidNamespace, "nested");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
