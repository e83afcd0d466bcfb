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
  const sampler = new ProcessTreeSampler();
  try {
    const pythonPid = Number(await tree.line());
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
    sampler.release();
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
  const sampler = new ProcessTreeSampler({ fullScanEvery: 1000 });
  try {
    await tree.line();
    const first = await sampler.sample([tree.pid]);
    assertEquals(first.get(tree.pid)?.pids, [tree.pid], "only bash so far");
    const sleepPid = Number(await tree.line());
    const second = (await sampler.sample([tree.pid])).get(tree.pid);
    assert(second, "tree still there");
    assertEquals(second.pids, [tree.pid, sleepPid], "the new child is found without a full rescan");
    assert(second.cpuPercent > 10, `the exited busy child is counted: ${second.cpuPercent}`);
  } finally {
    sampler.release();
    await tree.stop();
  }
});

/** A /proc/<pid>/stat line with the fields the sampler reads. */
function statLine(pid: number, ppid: number, ticks: number): string {
  return `${pid} (p ${pid}) S ${ppid} ${pid} ${pid} 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 50 0 100\n`;
}

Deno.test("no /proc listing while the fork counter is unchanged; a new child is found once it moves", async () => {
  const proc = await Deno.makeTempDir();
  const write = async (pid: number, ppid: number) => {
    await Deno.mkdir(`${proc}/${pid}`, { recursive: true });
    await Deno.writeTextFile(`${proc}/${pid}/stat`, statLine(pid, ppid, 10));
  };
  const forks = (count: number) =>
    Deno.writeTextFile(`${proc}/stat`, `cpu  1 2 3\nprocesses ${count}\n`);
  const sampler = new ProcessTreeSampler({ procRoot: proc, fullScanEvery: 4 });
  try {
    await forks(500);
    await write(100, 1);
    await write(101, 100);
    const pidsOf = async () => (await sampler.sample([100])).get(100)?.pids;
    assertEquals([await pidsOf(), sampler.listingCount], [[100, 101], 1]);
    await write(102, 100);
    assertEquals(
      [await pidsOf(), sampler.listingCount],
      [[100, 101], 1],
      "same fork count: /proc is not listed, so 102 is not seen",
    );
    await forks(501);
    assertEquals([await pidsOf(), sampler.listingCount], [[100, 101, 102], 2]);
    assertEquals([...sampler.livePids].sort(), [100, 101, 102]);
    await pidsOf();
    assertEquals(sampler.listingCount, 2, "unchanged again");
    await pidsOf();
    assertEquals(sampler.listingCount, 3, "samples 0, 4, 8… are full scans and list /proc");
    await Deno.writeTextFile(`${proc}/stat`, "cpu  1 2 3\n");
    await pidsOf();
    assertEquals(sampler.listingCount, 4, "without a fork counter every sample lists /proc");
  } finally {
    sampler.release();
    await Deno.remove(proc, { recursive: true });
  }
});

Deno.test("a process that fails to read once is found again: the next sample lists /proc", async () => {
  const proc = await Deno.makeTempDir();
  const sampler = new ProcessTreeSampler({ procRoot: proc, fullScanEvery: 1000 });
  try {
    await Deno.writeTextFile(`${proc}/stat`, "cpu  1 2 3\nprocesses 500\n");
    for (const [pid, ppid] of [[100, 1], [101, 100]] as const) {
      await Deno.mkdir(`${proc}/${pid}`);
      await Deno.writeTextFile(`${proc}/${pid}/stat`, statLine(pid, ppid, 10));
    }
    const pidsOf = async () => (await sampler.sample([100])).get(100)?.pids;
    assertEquals(await pidsOf(), [100, 101]);
    await Deno.writeTextFile(`${proc}/101/stat`, "unreadable for a moment");
    assertEquals([await pidsOf(), sampler.listingCount], [[100], 1]);
    await Deno.writeTextFile(`${proc}/101/stat`, statLine(101, 100, 10));
    assertEquals([await pidsOf(), sampler.listingCount], [[100, 101], 2]);
  } finally {
    sampler.release();
    await Deno.remove(proc, { recursive: true });
  }
});

Deno.test("only samples with hundreds of reads give the event loop a turn", async () => {
  const proc = await Deno.makeTempDir();
  const sampler = new ProcessTreeSampler({ procRoot: proc, fullScanEvery: 1000 });
  try {
    Deno.writeTextFileSync(`${proc}/stat`, "cpu  1 2 3\nprocesses 500\n");
    for (let pid = 100; pid < 700; pid++) {
      Deno.mkdirSync(`${proc}/${pid}`);
      Deno.writeTextFileSync(
        `${proc}/${pid}/stat`,
        statLine(pid, pid > 100 && pid <= 105 ? 100 : 1, 1),
      );
    }
    let timerRan = false;
    const timer = setTimeout(() => timerRan = true, 0);
    await sampler.sample([100]); // lists and reads 600 processes
    assertEquals(timerRan, true, "a sample with 600 reads yields");
    timerRan = false;
    setTimeout(() => timerRan = true, 0);
    for (let i = 0; i < 200; i++) await sampler.sample([100]); // 6 reads each
    assertEquals(timerRan, false, "small samples run without a macrotask turn");
    clearTimeout(timer);
    await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    sampler.release();
    await Deno.remove(proc, { recursive: true });
  }
});

Deno.test("a child that exits between samples leaves the tree and the live pids", async () => {
  const tree = startTree(`sleep 30 & echo $!; sleep 30 & echo $!; wait`);
  const sampler = new ProcessTreeSampler({ fullScanEvery: 1000 });
  try {
    const first = Number(await tree.line());
    const second = Number(await tree.line());
    const before = (await sampler.sample([tree.pid])).get(tree.pid)?.pids ?? [];
    assertEquals([...before].sort(), [tree.pid, first, second].sort());
    Deno.kill(first, "SIGKILL");
    // bash reaps it while waiting; then /proc/<first> is gone.
    while ((await Deno.stat(`/proc/${first}`).catch(() => null)) !== null) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assertEquals((await sampler.sample([tree.pid])).get(tree.pid)?.pids, [tree.pid, second]);
    assertEquals(sampler.livePids.has(first), false);
  } finally {
    sampler.release();
    await tree.stop();
  }
});

Deno.test("without FFI (no glibc) the sampler lists and reads with Deno's file API", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [pid, ppid] of [[100, 1], [101, 100], [102, 101], [103, 1]] as const) {
      await Deno.mkdir(`${dir}/proc/${pid}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/proc/${pid}/stat`, statLine(pid, ppid, 7));
    }
    const module = new URL("./process_tree_sampler.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/sample.ts`,
      `import { ProcessTreeSampler } from "${module}";
const tree = (await new ProcessTreeSampler({ procRoot: "${dir}/proc" }).sample([100])).get(100);
const ffi = Deno.permissions.querySync({ name: "ffi" }).state;
console.log(JSON.stringify({ ffi, pids: tree?.pids, rss: tree?.rssBytes }));`,
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--no-prompt", `--allow-read=${dir}`, `${dir}/sample.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(run.success, new TextDecoder().decode(run.stderr));
    assertEquals(JSON.parse(new TextDecoder().decode(run.stdout)), {
      ffi: "prompt",
      pids: [100, 101, 102],
      rss: 3 * 100 * 4096,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
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
