/**
 * Desktop (persistent) mode end to end (issue 14), all real: AiKore with managed nginx, TigerVNC
 * Xvnc, openbox, websockify + noVNC, a kiosk Chromium inside the desktop, and Chromium as the
 * viewer through the instance's public pool port behind the login.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { startBrowserHarness } from "../helpers/browser.ts";
import type { ServerHarness } from "../helpers/server_harness.ts";
import {
  desktopBlueprints,
  leases,
  print,
  tcpListenersOf,
  unixListenersOf,
  upgradeStatus,
  waitForColor,
  WEB_COLOR,
  X_COLOR,
} from "./desktop_support.ts";

interface Dto {
  id: number;
  slug: string;
  status: string;
  port: number;
  pid: number | null;
  persistent_display: number | null;
}

async function json(response: Response) {
  const body = await response.json();
  if (!response.ok) throw new Error(`${response.status}: ${JSON.stringify(body)}`);
  return body;
}

async function started(h: ServerHarness, name: string, blueprint: string): Promise<Dto> {
  const created: Dto = await json(
    await h.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({ name, base_blueprint: blueprint, persistent_mode: true }),
    }),
  );
  await json(await h.fetch(`/api/instances/${created.id}/start`, { method: "POST" }));
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const dto: Dto = await json(await h.fetch(`/api/instances/${created.id}`));
    if (dto.status === "started") return dto;
    if (!["starting", "stopped"].includes(dto.status)) {
      throw new Error(`${name} is ${dto.status}: ${JSON.stringify(dto)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start`);
}

async function logSize(h: ServerHarness, id: number): Promise<{ size: number; last: number }> {
  const { content, size } = await json(await h.fetch(`/api/instances/${id}/logs`));
  const counts = [...String(content).matchAll(/count (\d+)/g)].map((m) => Number(m[1]));
  return { size, last: counts.at(-1) ?? -1 };
}

Deno.test("desktop instances in Chromium through the gateway: a kiosk web app and an X program, login required, loopback only, viewer reopens on the same desktop", async () => {
  const blueprints = await desktopBlueprints();
  const bh = await startBrowserHarness({
    AIKORE_NGINX: "managed",
    AIKORE_BLUEPRINTS_DIR: blueprints,
    AIKORE_ON_SHUTDOWN: "stop",
  });
  const h = bh.harness;
  const shots = await Deno.makeTempDir({ prefix: "aikore-desktop-shots-" });
  try {
    // Two desktops at once, on different displays.
    const [web, x] = await Promise.all([
      started(h, "desk-web", "desk_web.sh"),
      started(h, "desk-x", "desk_x.sh"),
    ]);
    assert(web.persistent_display !== null && x.persistent_display !== null, "displays recorded");
    assert(web.persistent_display !== x.persistent_display, "two different displays");
    const held = leases(h.dataDir);
    assertEquals([...held.keys()].sort(), [web.persistent_display, x.persistent_display].sort());

    // Without a session: HTTP and WebSocket of the desktop refuse, on both routes.
    for (const url of [`http://127.0.0.1:${web.port}/`, `http://127.0.0.1:${web.port}/vnc.html`]) {
      const response = await fetch(url, { redirect: "manual" });
      await response.body?.cancel();
      assert([302, 401].includes(response.status), `${url} answered ${response.status}`);
    }
    const dashboardPort = Number(new URL(h.url).port);
    for (
      const [port, path] of [
        [web.port, "/websockify"],
        [dashboardPort, `/instance/${web.slug}/websockify`],
      ] as const
    ) {
      const status = await upgradeStatus(port, path);
      assert(/ (401|302) /.test(status), `WebSocket ${port}${path} without a session: ${status}`);
    }

    // X and VNC listen on loopback (TCP) or a unix socket only.
    const pids = [...held.values()].flatMap((lease) => lease.processes.map((p) => p.pid));
    const tcp = await tcpListenersOf(pids);
    print(`desktop TCP listeners: ${JSON.stringify(tcp)}`);
    assert(tcp.length >= 4, `each desktop has a VNC and a web port: ${JSON.stringify(tcp)}`);
    for (const [address] of tcp) {
      assert(/^(127\.0\.0\.1|\[::1\]):\d+$/.test(address), `${address} is not loopback`);
    }
    for (const display of [web.persistent_display, x.persistent_display]) {
      assert(!tcp.some(([a]) => a.endsWith(`:${6000 + (display ?? 0)}`)), "no X11 over TCP");
    }
    print(`desktop unix listeners: ${JSON.stringify(await unixListenersOf(pids))}`);

    // With a session: the viewer opens at the browser's size and shows each desktop.
    await bh.login();
    const viewer = await bh.newPage();
    await viewer.goto(`http://127.0.0.1:${web.port}/`);
    const webShown = await waitForColor(viewer, WEB_COLOR, 0.3);
    await viewer.screenshot({ path: `${shots}/desktop_web_app.png` });
    print(`screenshot: ${shots}/desktop_web_app.png ${JSON.stringify(webShown)}`);
    assert(webShown.w > 1000 && webShown.h > 600, "remote resize to the viewer's size");

    const xViewer = await bh.newPage();
    await xViewer.goto(`${h.url}/instance/${x.slug}/`);
    const xShown = await waitForColor(xViewer, X_COLOR, 0.1);
    await xViewer.screenshot({ path: `${shots}/desktop_x_program.png` });
    print(`screenshot: ${shots}/desktop_x_program.png ${JSON.stringify(xShown)}`);
    await xViewer.close();

    // The dashboard's View pane lands in the desktop too.
    await bh.page.goto(`${h.url}/`);
    await bh.page.click(`[aria-label="View desk-x in the pane"]`);
    const frame = await (await bh.page.waitForSelector("iframe.app-frame")).contentFrame();
    assert(frame, "the pane has a frame");
    await waitForColor(frame, X_COLOR, 0.05);

    // Close the viewer, reopen it: the same desktop, the app still counting.
    const before = await logSize(h, web.id);
    await viewer.close();
    await new Promise((r) => setTimeout(r, 1000));
    const again = await bh.newPage();
    await again.goto(`http://127.0.0.1:${web.port}/`);
    await waitForColor(again, WEB_COLOR, 0.3);
    const after = await logSize(h, web.id);
    const now: Dto = await json(await h.fetch(`/api/instances/${web.id}`));
    assertEquals([now.status, now.pid, now.persistent_display], [
      "started",
      web.pid,
      web.persistent_display,
    ]);
    assert(after.last > before.last, `the counter went on: ${before.last} → ${after.last}`);
    await again.close();
  } finally {
    await bh.close();
    await Deno.remove(blueprints, { recursive: true }).catch(() => {});
  }
});
