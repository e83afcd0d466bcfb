/**
 * Helpers for the desktop tests: a temporary data/instance folder, a Chromium viewer on the
 * noVNC page, `ss` listeners of a desktop's processes, and leftovers of a display.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS } from "../../tests/helpers/browser.ts";
import { findMarkedProcesses, hasMarker } from "../process/mod.ts";
import { xLockPath, xSocketPath } from "./x_display_files.ts";
import { leaseFolder } from "./lease_store.ts";
import { logTail } from "./spawn_component.ts";

export { ARTIFACTS };

/** A temporary AiKore data dir and instance dir, removed by `cleanup`. */
export async function tempDirs(): Promise<{ dataDir: string; instanceDir: string; root: string }> {
  const root = await Deno.makeTempDir({ prefix: "aikore-desktop-" });
  return { root, dataDir: `${root}/data`, instanceDir: `${root}/instances/app` };
}

const VIEWER_TIMEOUT_MS = 120_000;

/** Chromium as the user's browser (headless, as in the other e2e tests). */
export async function openViewerBrowser(): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Opens the desktop's landing page and waits until noVNC reports the connection. When the page
 * cannot be loaded, the error carries the tail of each log in `logsDir` (the desktop's).
 */
export async function openViewer(
  browser: Browser,
  url: string,
  size = { width: 1024, height: 700 },
  logsDir?: string,
): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  // websockify forks a process per HTTP connection to serve noVNC's ~70 files: on a loaded
  // 2-core machine that alone has taken 30 s, hence the generous limit.
  page.setDefaultTimeout(VIEWER_TIMEOUT_MS);
  try {
    await page.goto(url);
  } catch (error) {
    if (logsDir === undefined) throw error;
    const tails: string[] = [];
    for await (const entry of Deno.readDir(logsDir)) {
      tails.push(`--- ${entry.name}\n${logTail(`${logsDir}/${entry.name}`, 20)}`);
    }
    throw new Error(`${(error as Error).message}\n${tails.join("\n")}`);
  }
  await page.waitForFunction(() => document.documentElement.classList.contains("noVNC_connected"));
  return page;
}

/** Waits until the viewer's canvas holds a frame with at least `minColours` distinct colours. */
export async function waitForFrame(page: Page, minColours = 2): Promise<void> {
  await page.waitForFunction(
    (min) => {
      const canvas = document.querySelector("#noVNC_container canvas") as HTMLCanvasElement | null;
      if (!canvas || canvas.width < 2) return false;
      const context = canvas.getContext("2d");
      if (!context) return false;
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < data.length && colours.size < min; i += 4 * 97) {
        colours.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0));
      }
      return colours.size >= min;
    },
    minColours,
    { polling: 100 },
  );
}

/** One listening socket from `ss`, with the pids holding it. */
export interface Listener {
  local: string;
  pids: number[];
}

/** Listening sockets (`ss -ltnp` or `ss -lxp`) held by any of `pids`. */
export async function listenersOf(kind: "tcp" | "unix", pids: number[]): Promise<Listener[]> {
  const flag = kind === "tcp" ? "-ltnpH" : "-lxpH";
  const output = await new Deno.Command("ss", { args: [flag], stdout: "piped" }).output();
  const wanted = new Set(pids);
  const found: Listener[] = [];
  for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
    const owners = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    if (!owners.some((pid) => wanted.has(pid))) continue;
    const columns = line.trim().split(/\s+/);
    // tcp: State Recv-Q Send-Q Local Peer …; unix: Netid State Recv-Q Send-Q Local Port Peer …
    const local = kind === "tcp" ? columns[3] : columns[4];
    found.push({ local: local ?? "", pids: owners });
  }
  return found;
}

/** Everything a stopped desktop must not leave: processes, X lock/socket, lease, listeners. */
export async function leftovers(
  dataDir: string,
  marker: string,
  display: number,
  ports: number[],
): Promise<string[]> {
  const problems: string[] = [];
  const pids = findMarkedProcesses(marker);
  if (pids.length > 0) problems.push(`processes ${pids.join(",")}`);
  for (const path of [xLockPath(display), xSocketPath(display)]) {
    if (await exists(path)) problems.push(path);
  }
  if (await exists(`${leaseFolder(dataDir)}/display-${display}.json`)) problems.push("lease file");
  // A freed port may be taken at once by anything else on this shared machine: only a listener
  // of ours (carrying the marker) or of an unknown owner counts.
  const output = await new Deno.Command("ss", { args: ["-ltnpH"], stdout: "piped" }).output();
  for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
    const local = line.trim().split(/\s+/)[3] ?? "";
    const port = ports.find((p) => local.endsWith(`:${p}`));
    if (port === undefined) continue;
    const owners = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    if (owners.length === 0 || owners.some((pid) => hasMarker(pid, marker))) {
      problems.push(`port ${port} listening`);
    }
  }
  return problems;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Output of an X client run against the desktop (e.g. xdotool), trimmed. */
export async function xClient(env: Record<string, string>, argv: string[]): Promise<string> {
  const [program, ...args] = argv;
  const output = await new Deno.Command(program ?? "", {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!output.success) {
    throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout).trim();
}

/** What the killed stand-in AiKore reported about the desktop it started. */
export interface OrphanDesktop {
  display: number;
  vncPort: number;
  webPort: number;
  leaseId: string;
}

/**
 * Ends every process carrying `marker`: what a failed orphan test would otherwise leave running,
 * holding its display for the next run.
 */
export function killMarked(marker: string): void {
  for (const pid of findMarkedProcesses(marker)) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * Starts a desktop from another Deno process (a stand-in AiKore) and kills that process with
 * SIGKILL once the desktop runs: the desktop is left as a crashed AiKore leaves it.
 */
export async function orphanDesktop(spec: Record<string, unknown>): Promise<OrphanDesktop> {
  const script = new URL("../../tests/fixtures/desktop/hold_desktop.ts", import.meta.url).pathname;
  const holder = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, JSON.stringify(spec)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  holder.kill("SIGKILL");
  await holder.status;
  await reader.cancel();
  if (!text.includes("\n")) {
    throw new Error(`the stand-in AiKore ended before its desktop ran: ${text}`);
  }
  return JSON.parse(text);
}

/**
 * Waits until the desktop's screen is `width`×`height` (the viewer asks for its size after
 * connecting; X has no event a test can await across processes, so this polls xdotool).
 */
export async function waitForScreenSize(
  env: Record<string, string>,
  width: number,
  height: number,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let size = "";
  while (Date.now() < deadline) {
    size = await xClient(env, ["xdotool", "getdisplaygeometry"]);
    if (size === `${width} ${height}`) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the desktop stayed at ${size}, not ${width} ${height}`);
}
