/**
 * Model downloads: AiKore's downloader (lib/downloads, in this process, with a real SQLite file)
 * against curl, each fetching the same file from a local nginx (sendfile) onto the same disk.
 * Prints, per path, the median over the rounds of the rate (MiB/s) and of the CPU it used per MiB
 * (curl's own process; for AiKore this whole process, which does nothing else meanwhile).
 *
 *   deno run --allow-all tools/bench/model_download.ts [megabytes=1024] [rounds=3]
 */
import { ModelDownloadRepository, openDatabase } from "../../lib/db/mod.ts";
import { ModelDownloads } from "../../lib/downloads/mod.ts";
import { silentLogger } from "../../lib/log/mod.ts";
import { portForChild } from "../../lib/ports/mod.ts";
import type { ModelDownloadList } from "../../lib/shared/model_download.ts";
import { print } from "./pty_bench_support.ts";

const megabytes = Number(Deno.args[0] ?? 1024);
const rounds = Number(Deno.args[1] ?? 3);

interface Run {
  ms: number;
  cpuMs: number;
}

/** CPU ms (user + system) this process has used. */
function ownCpuMs(): number {
  const text = Deno.readTextFileSync("/proc/self/stat");
  const fields = text.slice(text.lastIndexOf(") ") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // 100 ticks a second
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

/** A file of `megabytes` MiB that nginx's workers (maybe `nobody`) may read. */
async function servedFile(dir: string): Promise<string> {
  const served = `${dir}/served`;
  await Deno.mkdir(served);
  await Deno.chmod(dir, 0o755);
  await Deno.chmod(served, 0o755);
  const block = crypto.getRandomValues(new Uint8Array(65536));
  const file = await Deno.open(`${served}/model.bin`, { write: true, create: true, mode: 0o644 });
  for (let i = 0; i < megabytes * 16; i++) await file.write(block);
  file.close();
  return served;
}

/** nginx serving `served` on a port of its own, and the file's address once it answers. */
async function startNginx(dir: string, served: string) {
  const port = portForChild();
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events {}
http { access_log off; sendfile on; server { listen 127.0.0.1:${port}; root ${served}; } }
`,
  );
  const child = new Deno.Command("nginx", {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const url = `http://127.0.0.1:${port}/model.bin`;
  for (let i = 0; (await fetch(url, { method: "HEAD" }).catch(() => null))?.ok !== true; i++) {
    if (i > 100) {
      child.kill("SIGTERM");
      throw new Error("nginx did not answer");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, url };
}

async function curlOnce(url: string, target: string): Promise<Run> {
  const output = await new Deno.Command("bash", {
    args: ["-c", `TIMEFORMAT='%R %U %S'; time curl -s -o '${target}' '${url}'`],
    stderr: "piped",
  }).output();
  const [real, user, sys] = new TextDecoder().decode(output.stderr).trim().split(" ").map(Number);
  await Deno.remove(target);
  return { ms: (real ?? 0) * 1000, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000 };
}

async function aikoreOnce(downloads: ModelDownloads, url: string, models: string): Promise<Run> {
  const cpu = ownCpuMs();
  const started = performance.now();
  const added = await downloads.add({ url, folder: "" });
  let list: ModelDownloadList = downloads.list();
  for (;;) {
    const view = list.downloads.find((d) => d.id === added.id);
    if (view?.status === "done") break;
    if (view?.status === "failed") throw new Error(view.message ?? "failed");
    list = await downloads.listWaiting(list.version, 5000, new AbortController().signal);
  }
  const result = { ms: performance.now() - started, cpuMs: ownCpuMs() - cpu };
  await downloads.remove(added.id);
  await Deno.remove(`${models}/model.bin`);
  return result;
}

function report(name: string, runs: Run[]): { rate: number; cpu: number } {
  const rate = median(runs.map((r) => megabytes / (r.ms / 1000)));
  const cpu = median(runs.map((r) => r.cpuMs / megabytes));
  const rates = runs.map((r) => (megabytes / (r.ms / 1000)).toFixed(0)).join(", ");
  print(`${name.padEnd(7)} ${rate.toFixed(0)} MiB/s [${rates}], CPU ${cpu.toFixed(2)} ms/MiB`);
  return { rate, cpu };
}

const dir = await Deno.makeTempDir({ prefix: "aikore-dlbench-" });
const nginx = await startNginx(dir, await servedFile(dir));
try {
  const db = openDatabase(`${dir}/aikore.db`);
  const models = `${dir}/models`;
  await Deno.mkdir(models);
  const downloads = new ModelDownloads({
    root: models,
    repository: new ModelDownloadRepository(db),
    logger: silentLogger,
  });
  await downloads.start();
  const runs: { curl: Run[]; aikore: Run[] } = { curl: [], aikore: [] };
  for (let round = 0; round < rounds; round++) {
    runs.curl.push(await curlOnce(nginx.url, `${dir}/curl.bin`));
    runs.aikore.push(await aikoreOnce(downloads, nginx.url, models));
  }
  downloads.stop();
  db.close();
  print(`Model download: ${megabytes} MiB from a local nginx onto the same disk, ${rounds} rounds`);
  const curl = report("curl", runs.curl);
  const aikore = report("aikore", runs.aikore);
  print(
    `AiKore against curl: rate ×${(aikore.rate / curl.rate).toFixed(2)}, CPU per MiB ×${
      (aikore.cpu / curl.cpu).toFixed(2)
    }`,
  );
  print(
    `re-run: deno run --allow-all tools/bench/model_download.ts [megabytes=${megabytes}] ` +
      `[rounds=${rounds}]`,
  );
} finally {
  nginx.child.kill("SIGTERM");
  await nginx.child.status;
  await Deno.remove(dir, { recursive: true });
}
