import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { fileOf, startViewerFront } from "./viewer_front.ts";

Deno.test("the viewer front maps paths beneath its root only", () => {
  assertEquals(fileOf("/w", "/"), "/w/index.html");
  assertEquals(fileOf("/w", "/instance/a/"), "/w/instance/a/index.html");
  assertEquals(fileOf("/w", "/app/ui.js"), "/w/app/ui.js");
  assertEquals(fileOf("/w", "/../etc/passwd"), null);
  assertEquals(fileOf("/w", "/%2e%2e/etc/passwd"), null);
  assertEquals(fileOf("/w", "/a%00b"), null);
  assertEquals(fileOf("/w", "/%E0%A4%A"), null);
});

Deno.test("the viewer front serves the web root's files (links included) and relays WebSockets both ways", async () => {
  const root = await Deno.makeTempDir({ prefix: "aikore-front-" });
  const outside = await Deno.makeTempDir({ prefix: "aikore-front-pkg-" });
  await Deno.writeTextFile(`${root}/index.html`, "<p>landing</p>");
  await Deno.writeTextFile(`${outside}/ui.js`, "export {};");
  await Deno.symlink(outside, `${root}/app`);
  // websockify's stand-in: echoes with a prefix, and says which subprotocol it got.
  const upstream = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req, { protocol: "binary" });
    socket.onmessage = (e) => socket.send(`echo:${e.data}`);
    return response;
  });
  const front = startViewerFront({ webRoot: root, wsPort: upstream.addr.port });
  try {
    const base = `http://127.0.0.1:${front.port}`;
    const landing = await fetch(`${base}/`);
    assertEquals([landing.status, await landing.text()], [200, "<p>landing</p>"]);
    assertEquals(landing.headers.get("content-type"), "text/html; charset=utf-8");
    const script = await fetch(`${base}/app/ui.js`);
    assertEquals([script.status, await script.text()], [200, "export {};"]);
    const missing = await fetch(`${base}/nope.js`);
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
    const post = await fetch(`${base}/`, { method: "POST", body: "x" });
    assertEquals(post.status, 405);
    await post.body?.cancel();

    const socket = new WebSocket(`ws://127.0.0.1:${front.port}/instance/a/websockify`, ["binary"]);
    const reply = await new Promise<string>((resolve, reject) => {
      socket.onopen = () => socket.send("hello"); // may reach the front before upstream is open
      socket.onmessage = (e) => resolve(String(e.data));
      socket.onerror = () => reject(new Error("socket failed"));
    });
    assertEquals([reply, socket.protocol], ["echo:hello", "binary"]);
    const closed = new Promise((resolve) => (socket.onclose = resolve));
    await front.close(); // cuts open viewers
    await closed;
    assert(socket.readyState === WebSocket.CLOSED);
  } finally {
    await front.close(); // a second close is a no-op
    await upstream.shutdown();
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
