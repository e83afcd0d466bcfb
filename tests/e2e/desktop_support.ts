/** Helpers of the desktop tests: blueprints, lease files, sockets and the viewer's pixels. */
import type { Frame, Page } from "playwright-core";
import { testBlueprint } from "../helpers/program.ts";

/** A blueprint run in desktop mode. */
function desktopBlueprint(name: string, health: string, body: string): string {
  return testBlueprint(name, body, health, { persistent_mode: true, start_timeout: 60 });
}

/** Background of the test web app's page (magenta) and of the X program (green). */
export const WEB_COLOR = [255, 0, 255] as const;
export const X_COLOR = [0, 255, 0] as const;

/** `desk_web.sh`: a small web app (a magenta page) shown in the kiosk browser, and a counter. */
export const DESK_WEB_BLUEPRINT = desktopBlueprint(
  "Desktop web",
  "http:/",
  `site="$INSTANCE_CONF_DIR/site"
mkdir -p "$site"
printf '%s' '<!doctype html><html><body style="margin:0;height:100vh;background:#ff00ff"><h1>desktop test page</h1></body></html>' >"$site/index.html"
(i=0; while :; do echo "count $i"; i=$((i+1)); sleep 0.2; done) &
exec python3 -m http.server "$WEBUI_PORT" --bind 127.0.0.1 --directory "$site"`,
);

/** `desk_x.sh`: a plain X program (xlogo on green), health = process. */
export const DESK_X_BLUEPRINT = desktopBlueprint(
  "Desktop X program",
  "process",
  `echo "on $DISPLAY"\nexec xlogo -geometry 900x700+0+0 -bg '#00ff00' -fg '#0000ff'`,
);

/** A blueprints folder with `desk_web.sh` and `desk_x.sh`. */
export async function desktopBlueprints(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-desk-bp-" });
  await Deno.writeTextFile(`${dir}/desk_web.sh`, DESK_WEB_BLUEPRINT);
  await Deno.writeTextFile(`${dir}/desk_x.sh`, DESK_X_BLUEPRINT);
  return dir;
}

/** The desktop leases of a data dir (display → lease JSON). */
export function leases(dataDir: string): Map<number, { processes: { pid: number }[] }> {
  const found = new Map<number, { processes: { pid: number }[] }>();
  try {
    for (const entry of Deno.readDirSync(`${dataDir}/desktops`)) {
      const match = /^display-(\d+)\.json$/.exec(entry.name);
      if (!match) continue;
      found.set(
        Number(match[1]),
        JSON.parse(Deno.readTextFileSync(`${dataDir}/desktops/${entry.name}`)),
      );
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found;
}

/** True when X's lock file or socket of display `n` exists. */
export function xFilesOf(display: number): string[] {
  return [`/tmp/.X${display}-lock`, `/tmp/.X11-unix/X${display}`].filter((path) => {
    try {
      Deno.lstatSync(path);
      return true;
    } catch {
      return false;
    }
  });
}

/** Listening TCP sockets (`ss -ltnpH`) of the given pids: [local address, pid]. */
export async function tcpListenersOf(pids: number[]): Promise<Array<[string, number]>> {
  const out = await new Deno.Command("ss", { args: ["-ltnpH"], stdout: "piped" }).output();
  const lines = new TextDecoder().decode(out.stdout).split("\n");
  const found: Array<[string, number]> = [];
  for (const line of lines) {
    for (const match of line.matchAll(/pid=(\d+)/g)) {
      const pid = Number(match[1]);
      if (pids.includes(pid)) found.push([line.trim().split(/\s+/)[3] ?? "", pid]);
    }
  }
  return found;
}

/** Listening unix sockets (`ss -lxpH`) of the given pids: their paths. */
export async function unixListenersOf(pids: number[]): Promise<string[]> {
  const out = await new Deno.Command("ss", { args: ["-lxpH"], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((line) =>
    [...line.matchAll(/pid=(\d+)/g)].some((m) => pids.includes(Number(m[1])))
  ).map((line) => line.trim().split(/\s+/)[4] ?? "");
}

/** The status line a WebSocket upgrade to `port` + `path` gets, with the given cookie. */
export async function upgradeStatus(port: number, path: string, cookie = ""): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const request = [
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Connection: Upgrade",
      "Upgrade: websocket",
      "Sec-WebSocket-Version: 13",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      ...(cookie ? [`Cookie: ${cookie}`] : []),
      "",
      "",
    ].join("\r\n");
    await conn.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(4096);
    const n = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, n ?? 0)).split("\r\n")[0] ?? "";
  } finally {
    conn.close();
  }
}

/** Share of the viewer canvas' pixels that have `rgb` (±8), and its size. */
export function canvasShare(page: Page | Frame, rgb: readonly number[]) {
  return page.evaluate((color) => {
    const canvas = document.querySelector("canvas");
    if (!canvas || canvas.width === 0 || canvas.height === 0) return { share: 0, w: 0, h: 0 };
    const context = canvas.getContext("2d");
    if (!context) return { share: 0, w: canvas.width, h: canvas.height };
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let hits = 0;
    for (let i = 0; i < data.length; i += 4) {
      const near = [0, 1, 2].every((k) => Math.abs((data[i + k] ?? 0) - (color[k] ?? 0)) <= 8);
      if (near) hits++;
    }
    return { share: hits / (data.length / 4), w: canvas.width, h: canvas.height };
  }, [...rgb]);
}

/** Waits until at least `min` of the viewer canvas shows `rgb`; returns the last measure. */
export async function waitForColor(
  page: Page | Frame,
  rgb: readonly number[],
  min: number,
  timeoutMs = 45_000,
) {
  const deadline = performance.now() + timeoutMs;
  let last = { share: 0, w: 0, h: 0 };
  while (performance.now() < deadline) {
    last = await canvasShare(page, rgb).catch(() => last);
    if (last.share >= min) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the viewer never showed rgb(${rgb}) on ${min * 100}%: ${JSON.stringify(last)}`);
}

export { print } from "../helpers/print.ts";

/** Live (non-zombie) pid. */
export function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
}
