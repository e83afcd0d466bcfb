/**
 * Cost of one persistent-mode desktop (TigerVNC + openbox + websockify + xclock, no kiosk
 * browser): start → first frame in a Chromium noVNC viewer served as in production (noVNC's
 * files from AiKore's viewer front, only the WebSocket relayed to websockify), the time a
 * viewer takes to its first frame through the front and straight from websockify (which forks
 * per HTTP request), the desktop's RSS, its CPU while idle with and without a viewer, and the
 * bytes per second an idle viewer receives.
 *
 *   deno run --allow-all tools/bench/desktop_cost.ts
 *   DESKTOP_BENCH_ROUNDS=5 DESKTOP_BENCH_SECONDS=10 deno run --allow-all tools/bench/desktop_cost.ts
 *
 * Needs tigervnc-standalone-server, websockify, novnc, openbox, x11-apps and Chromium.
 * Figures depend on the load of the machine: the load average is printed with them.
 */
import { startDesktop, startViewerFront } from "../../lib/desktop/mod.ts";
import { openViewer, openViewerBrowser, waitForFrame } from "../../lib/desktop/test_support.ts";
import { findMarkedProcesses } from "../../lib/process/mod.ts";

const ROUNDS = Number(Deno.env.get("DESKTOP_BENCH_ROUNDS") ?? 3);
const SECONDS = Number(Deno.env.get("DESKTOP_BENCH_SECONDS") ?? 5);
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;
const loadAverage = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Memory (kB) of the processes carrying `marker`: RSS counts pages shared between forks
 * (websockify forks per connection) once per process, PSS splits them, so both are shown.
 */
function memoryKb(marker: string): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of findMarkedProcesses(marker)) {
    const rollup = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
    rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
  }
  return { rss, pss };
}

/** "comm=kB" of each process carrying `marker`. */
function rssByProcess(marker: string): string {
  return findMarkedProcesses(marker).map((pid) => {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return `${/Name:\s+(\S+)/.exec(status)?.[1]}=${/VmRSS:\s+(\d+)/.exec(status)?.[1]}`;
  }).join(" ");
}

/** CPU clock ticks (user + system) used so far by each process carrying `marker`. */
function cpuTicks(marker: string): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of findMarkedProcesses(marker)) {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = text.slice(text.lastIndexOf(") ") + 2).split(" ");
    ticks.set(pid, Number(fields[11] ?? 0) + Number(fields[12] ?? 0)); // utime, stime
  }
  return ticks;
}

/** Percent of one core used by the desktop over `SECONDS`. */
async function idleCpu(marker: string): Promise<number> {
  const before = cpuTicks(marker);
  await sleep(SECONDS * 1000);
  let used = 0; // per process, so one that ends in between does not count negative
  for (const [pid, ticks] of cpuTicks(marker)) used += ticks - (before.get(pid) ?? 0);
  return (used / TICKS_PER_SECOND / SECONDS) * 100;
}

const root = await Deno.makeTempDir({ prefix: "aikore-desktop-bench-" });
const browser = await openViewerBrowser();
const figures = {
  firstFrameMs: [] as number[],
  frontOpenMs: [] as number[],
  directOpenMs: [] as number[],
  startMs: [] as number[],
  rssMb: [] as number[],
  pssMb: [] as number[],
  cpuAlone: [] as number[],
  cpuViewed: [] as number[],
  bytesPerSecond: [] as number[],
  firstSecondBytes: [] as number[],
};
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const marker = `desktop-bench-${round}-${crypto.randomUUID().slice(0, 6)}`;
    const started = performance.now();
    const desktop = await startDesktop({
      choice: "tigervnc",
      dataDir: `${root}/data`,
      instanceDir: `${root}/instance-${round}`,
      marker,
      displays: { first: 370, last: 379 },
      app: { argv: ["xclock"], env: {}, cwd: root },
    });
    figures.startMs.push(performance.now() - started);
    const front = startViewerFront({ webRoot: desktop.webRoot, wsPort: desktop.webPort });
    try {
      const page = await openViewer(browser, `http://127.0.0.1:${front.port}/`);
      await waitForFrame(page, 3);
      figures.firstFrameMs.push(performance.now() - started);
      // A second viewer (fresh browser context, nothing cached) each way, alternating order.
      const ways = [["front", front.port], ["direct", desktop.webPort]] as const;
      for (const [way, port] of round % 2 ? ways : [...ways].reverse()) {
        const opened = performance.now();
        const other = await openViewer(browser, `http://127.0.0.1:${port}/`);
        await waitForFrame(other, 3);
        (way === "front" ? figures.frontOpenMs : figures.directOpenMs)
          .push(performance.now() - opened);
        await other.close();
      }
      let bytes = 0;
      page.on("websocket", () => {});
      const session = await page.context().newCDPSession(page);
      await session.send("Network.enable");
      session.on("Network.webSocketFrameReceived", (event) => {
        bytes += event.response.payloadData.length; // base64 for binary frames: ×3/4 below
      });
      await page.mouse.move(200, 200); // a change on screen: the counter must see frames
      await sleep(1000); // let the update settle
      figures.firstSecondBytes.push((bytes * 3) / 4);
      bytes = 0;
      figures.cpuViewed.push(await idleCpu(marker));
      figures.bytesPerSecond.push((bytes * 3) / 4 / SECONDS);
      const memory = memoryKb(marker);
      figures.rssMb.push(memory.rss / 1024);
      figures.pssMb.push(memory.pss / 1024);
      if (round === 1) print(`RSS by process (kB): ${rssByProcess(marker)}`);
      await page.close();
      await sleep(500);
      figures.cpuAlone.push(await idleCpu(marker));
    } finally {
      await front.close();
      await desktop.stop();
    }
  }
} finally {
  await browser.close();
  await Deno.remove(root, { recursive: true });
}
const show = (values: number[], digits = 0) =>
  `median ${median(values).toFixed(digits)} (${values.map((v) => v.toFixed(digits)).join(", ")})`;
print(
  `desktop cost, ${ROUNDS} rounds, idle windows of ${SECONDS} s, load average ${loadAverage()}`,
);
print(`start → first frame in the viewer (via the front): ${show(figures.firstFrameMs)} ms`);
print(
  `  of which startDesktop (display reserved, X, openbox, websockify, app): ${
    show(figures.startMs)
  } ms`,
);
print(`viewer open → first frame, noVNC from the front: ${show(figures.frontOpenMs)} ms`);
print(`viewer open → first frame, noVNC from websockify: ${show(figures.directOpenMs)} ms`);
print("memory of one desktop (Xvnc, openbox, websockify and its per-connection forks, xclock),");
print("  not counting the front (it lives inside AiKore),");
print(`  viewer connected: RSS ${show(figures.rssMb, 1)} MB; PSS ${show(figures.pssMb, 1)} MB`);
print(`idle CPU, viewer connected: ${show(figures.cpuViewed, 2)} % of a core`);
print(`idle CPU, no viewer: ${show(figures.cpuAlone, 2)} % of a core`);
print(`idle viewer traffic: ${show(figures.bytesPerSecond)} bytes/s`);
print(`(for scale: a pointer move and its redraw: ${show(figures.firstSecondBytes)} bytes)`);
