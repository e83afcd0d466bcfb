/**
 * Real desktops seen through Chromium: TigerVNC Xvnc, openbox, websockify and noVNC, a kiosk
 * Chromium on a small web app, and plain X programs. Screenshots go to tests/artifacts/.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { startDesktop } from "./mod.ts";
import {
  ARTIFACTS,
  leftovers,
  listenersOf,
  openViewer,
  openViewerBrowser,
  tempDirs,
  waitForFrame,
  waitForScreenSize,
  xClient,
} from "./test_support.ts";
import { findMarkedProcesses } from "../process/mod.ts";
import type { Page } from "playwright-core";

/** Markers unique to this run, so a leftover of an aborted earlier run never counts. */
const RUN = crypto.randomUUID().slice(0, 8);

const options = { sanitizeOps: false, sanitizeResources: false };

/** A page that counts and reports each tick to its server (so the test waits on events). */
function counterApp() {
  let last = -1;
  const waiters: { above: number; resolve: () => void }[] = [];
  const page = `<!doctype html><html><head><title>counter 0</title></head>
<body style="margin:0;background:#1d4ed8;color:white;font:bold 64px sans-serif;display:grid;place-items:center;height:100vh">
<div>AiKore test app<br><span id="n">counter 0</span></div>
<script>let n = 0; setInterval(() => { n++; document.title = "counter " + n;
document.getElementById("n").textContent = "counter " + n; fetch("/tick?n=" + n); }, 250);</script>
</body></html>`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/tick") {
      last = Number(url.searchParams.get("n"));
      for (const waiter of waiters.filter((w) => last > w.above)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      return new Response("ok");
    }
    return new Response(page, { headers: { "content-type": "text/html" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    get last() {
      return last;
    },
    /** Resolves once the page has counted past `above`. */
    countsPast(above: number) {
      return new Promise<void>((resolve) => waiters.push({ above, resolve }));
    },
    close: () => server.shutdown(),
  };
}

Deno.test({
  name:
    "a kiosk browser shows the app on the desktop; closing and reopening the viewer finds the same desktop still counting",
  ...options,
  async fn() {
    const { root, dataDir, instanceDir } = await tempDirs();
    const app = counterApp();
    const marker = `desktop-kiosk-${RUN}`;
    const desktop = await startDesktop({
      choice: "tigervnc",
      dataDir,
      instanceDir,
      marker,
      displays: { first: 310, last: 319 },
    });
    const browser = await openViewerBrowser();
    try {
      await desktop.showApp(app.url);
      await app.countsPast(2);
      const viewerUrl = `http://127.0.0.1:${desktop.webPort}/`;
      const logs = `${instanceDir}/desktop/logs`;
      let viewer = await openViewer(browser, viewerUrl, undefined, logs);
      await waitForFrame(viewer, 3);
      await viewer.screenshot({ path: `${ARTIFACTS}desktop_kiosk_app.png` });
      const [windowId] =
        (await xClient(desktop.env, ["xdotool", "search", "--name", "^counter [0-9]+"])).split(
          "\n",
        );
      assert(windowId, "the kiosk window is on the desktop");
      const before = Number(
        /counter (\d+)/.exec(await xClient(desktop.env, ["xdotool", "getwindowname", windowId]))
          ?.[1],
      );

      await viewer.close();
      const closedAt = app.last;
      await app.countsPast(closedAt + 4); // keeps counting with no viewer at all
      viewer = await openViewer(browser, viewerUrl, undefined, logs);
      await waitForFrame(viewer, 3);
      await viewer.screenshot({ path: `${ARTIFACTS}desktop_kiosk_reopened.png` });
      const after = Number(
        /counter (\d+)/.exec(await xClient(desktop.env, ["xdotool", "getwindowname", windowId]))
          ?.[1],
      );
      assert(after >= before + 4, `the same window counted on: ${before} → ${after}`);
      assertMatch(await viewer.title(), new RegExp(`AiKore :${desktop.display}`));
    } finally {
      await browser.close();
      await desktop.stop();
      await app.close();
    }
    assertEquals(
      await leftovers(dataDir, marker, desktop.display, [desktop.vncPort, desktop.webPort]),
      [],
    );
    await Deno.remove(root, { recursive: true });
  },
});

/** Text copied in the viewer's clipboard panel reaches X's CLIPBOARD, and back. */
async function clipboardBothWays(viewer: Page, env: Record<string, string>, marker: string) {
  const toDesktop = `from the browser ${RUN}`;
  await viewer.click("#noVNC_clipboard_button"); // the panel of noVNC's control bar
  await viewer.fill("#noVNC_clipboard_text", toDesktop);
  await viewer.dispatchEvent("#noVNC_clipboard_text", "change");
  await waitFor(async () =>
    (await xClient(env, ["xclip", "-o", "-selection", "clipboard"]).catch(() => "")) === toDesktop
  );
  const toBrowser = `from the desktop ${RUN}`;
  // xclip stays behind as the selection's owner: the marker lets the desktop's stop end it.
  const copy = new Deno.Command("xclip", {
    args: ["-i", "-selection", "clipboard"],
    env: { ...env, AIKORE_INSTANCE_ID: marker },
    stdin: "piped",
  }).spawn();
  const writer = copy.stdin.getWriter();
  await writer.write(new TextEncoder().encode(toBrowser));
  await writer.close();
  await copy.status;
  await viewer.waitForFunction(
    (text) =>
      (document.getElementById("noVNC_clipboard_text") as HTMLTextAreaElement).value === text,
    toBrowser,
  );
}

/** Polls `check` every 100 ms until it holds (10 s at most): X has no cross-process event here. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test({
  name:
    "two desktops run at once on different displays, with X programs and clipboard both ways, listening on loopback only",
  ...options,
  async fn() {
    const { root, dataDir } = await tempDirs();
    const start = (name: string, argv: string[]) =>
      startDesktop({
        choice: "tigervnc",
        dataDir,
        instanceDir: `${root}/instances/${name}`,
        marker: `desktop-${name}-${RUN}`,
        displays: { first: 320, last: 329 },
        app: { argv, env: { INSTANCE_NAME: name, DISPLAY: ":0" }, cwd: root },
      });
    const [eyes, clock] = await Promise.all([
      start("eyes", ["xeyes"]),
      start("clock", ["xclock", "-update", "1"]),
    ]);
    const browser = await openViewerBrowser();
    try {
      assert(eyes.display !== clock.display, "different displays");
      assertEquals(new Set([eyes.vncPort, eyes.webPort, clock.vncPort, clock.webPort]).size, 4);
      for (const [desktop, name] of [[eyes, "eyes"], [clock, "clock"]] as const) {
        const pids = findMarkedProcesses(`desktop-${name}-${RUN}`);
        const tcp = await listenersOf("tcp", pids);
        assertEquals(
          tcp.map((l) => l.local).sort(),
          [
            `127.0.0.1:${desktop.vncPort}`,
            `127.0.0.1:${desktop.webPort}`,
            `[::1]:${desktop.vncPort}`,
          ].sort(),
          "only the VNC and web ports, on loopback; no X11 port 6000+n",
        );
        const environ = Deno.readTextFileSync(`/proc/${desktop.appPid}/environ`).split("\0");
        for (
          const entry of [
            `INSTANCE_NAME=${name}`,
            `DISPLAY=:${desktop.display}`,
            `XAUTHORITY=${desktop.env.XAUTHORITY}`,
          ]
        ) {
          assert(environ.includes(entry), `the app's environment has ${entry}`);
        }
        const everyTcp = new TextDecoder().decode(
          (await new Deno.Command("ss", { args: ["-ltnH"], stdout: "piped" }).output()).stdout,
        );
        assertEquals(
          everyTcp.includes(`:${6000 + desktop.display} `),
          false,
          "no X11 TCP port at all",
        );
        const unix = (await listenersOf("unix", pids)).map((l) => l.local).sort();
        assertEquals(
          unix,
          [`/tmp/.X11-unix/X${desktop.display}`, `@/tmp/.X11-unix/X${desktop.display}`].sort(),
        );
        const viewer = await openViewer(browser, `http://127.0.0.1:${desktop.webPort}/`, {
          width: 800,
          height: 560,
        });
        await waitForFrame(viewer, 3);
        await waitForScreenSize(desktop.env, 800, 560); // started at 1280×800: remote resize
        await viewer.screenshot({ path: `${ARTIFACTS}desktop_x_program_${name}.png` });
        if (name === "eyes") await clipboardBothWays(viewer, desktop.env, `desktop-${name}-${RUN}`);
      }
    } finally {
      await browser.close();
      await Promise.all([eyes.stop(), clock.stop()]);
    }
    assertEquals(
      await leftovers(dataDir, `desktop-eyes-${RUN}`, eyes.display, [eyes.vncPort, eyes.webPort]),
      [],
    );
    assertEquals(
      await leftovers(dataDir, `desktop-clock-${RUN}`, clock.display, [
        clock.vncPort,
        clock.webPort,
      ]),
      [],
    );
    await Deno.remove(root, { recursive: true });
  },
});
