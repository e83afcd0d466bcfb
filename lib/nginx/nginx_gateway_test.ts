import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { GRADIO_LIKE_SCRIPT, sha256Hex, startEchoApp } from "../../tests/helpers/test_apps.ts";
import { nginxGroupMembers } from "./nginx_processes.ts";
import { AUTH, routeRecord, SECRET, startGatewayFixture } from "./testdata/gateway_fixture.ts";
import { firstWebSocketMessage, rawGet, rawUpgrade } from "./testdata/raw_http.ts";

async function json(response: Response): Promise<Record<string, unknown>> {
  assertEquals(response.status, 200, `${response.url} answered ${response.status}`);
  return await response.json();
}

async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  marker: string,
): Promise<string> {
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return text;
}

Deno.test("gateway publishes instances on their port and under /instance/<slug>/, behind auth", async (t) => {
  const f = await startGatewayFixture();
  const dash = `http://127.0.0.1:${f.model.dashboardPort}`;
  const echoPort = `http://127.0.0.1:${f.echoPort}`;
  try {
    await t.step("the dashboard reaches AiKore with the client's address and Host", async () => {
      const body = await json(await fetch(`${dash}/api/things?x=1`, { headers: AUTH }));
      assertEquals(body.backend, "/api/things");
      const headers = body.headers as Record<string, string>;
      assertEquals(headers["host"], `127.0.0.1:${f.model.dashboardPort}`);
      assertEquals(headers["x-real-ip"], "127.0.0.1");
      assertEquals(headers["x-forwarded-for"], "127.0.0.1");
      assertEquals(headers["x-forwarded-proto"], "http");
      assertEquals(headers["cookie"], AUTH.cookie);
    });

    await t.step("dashboard SSE and WebSockets pass unbuffered", async () => {
      const response = await fetch(`${dash}/api/events`, { headers: AUTH });
      const reader = response.body?.getReader();
      assert(reader);
      // tick 1 is only sent after the release below: a buffering proxy would hang here.
      assertMatch(await readUntil(reader, "tick 0"), /data: tick 0/);
      await (await fetch(`${dash}/api/events/release`, { headers: AUTH })).body?.cancel();
      assertMatch(await readUntil(reader, "tick 1"), /tick 1/);
      await reader.cancel();
      const ws = await firstWebSocketMessage(
        `ws://127.0.0.1:${f.model.dashboardPort}/api/ws`,
        AUTH,
      );
      assertEquals(ws, "backend ws | echo:ping");
    });

    await t.step("path route strips the prefix and tells the app where it lives", async () => {
      const body = await json(await fetch(`${dash}/instance/echo/a/b?q=1&r=2`, { headers: AUTH }));
      assertEquals([body.path, body.query], ["/a/b", "?q=1&r=2"]);
      const headers = body.headers as Record<string, string>;
      assertEquals(headers["x-forwarded-prefix"], "/instance/echo");
      assertEquals(headers["host"], `127.0.0.1:${f.model.dashboardPort}`);
      assertEquals(headers["x-real-ip"], "127.0.0.1");
    });

    await t.step(
      "port route serves the app at its root; the app never sees the session cookie",
      async () => {
        const body = await json(
          await fetch(`${echoPort}/root?z=9`, {
            headers: { cookie: `theme=dark; ${AUTH.cookie}; lang=en` },
          }),
        );
        assertEquals([body.path, body.query], ["/root", "?z=9"]);
        const headers = body.headers as Record<string, string>;
        assertEquals(headers["cookie"], "theme=dark; lang=en");
        assertEquals(headers["x-forwarded-prefix"], undefined);
        assertEquals(headers["host"], `127.0.0.1:${f.echoPort}`);
        const bearer = await json(
          await fetch(`${echoPort}/b`, { headers: { authorization: `Bearer ${SECRET}` } }),
        );
        assertEquals(bearer.path, "/b");
      },
    );

    await t.step("WebSockets and SSE work on both routes", async () => {
      const viaPath = `ws://127.0.0.1:${f.model.dashboardPort}/instance/echo/ws`;
      assertEquals(await firstWebSocketMessage(viaPath, AUTH), "hello path=/ws | echo:ping");
      const viaPort = `ws://127.0.0.1:${f.echoPort}/deep/ws`;
      assertEquals(await firstWebSocketMessage(viaPort, AUTH), "hello path=/deep/ws | echo:ping");
      const response = await fetch(`${dash}/instance/echo/sse`, { headers: AUTH });
      const reader = response.body?.getReader();
      assert(reader);
      assertMatch(await readUntil(reader, "tick 0"), /tick 0/);
      await (await fetch(`${echoPort}/sse/release`, { headers: AUTH })).body?.cancel();
      assertMatch(await readUntil(reader, "tick 1"), /tick 1/);
      await reader.cancel();
    });

    await t.step("a 50 MB upload arrives intact through both routes", async () => {
      const data = new Uint8Array(50 * 1024 * 1024);
      for (let i = 0; i < data.length; i += 997) data[i] = i % 251;
      const expected = await sha256Hex(data);
      for (const url of [`${dash}/instance/echo/upload`, `${echoPort}/upload`]) {
        const body = await json(await fetch(url, { method: "POST", body: data, headers: AUTH }));
        assertEquals([body.bytes, body.sha256], [data.length, expected], url);
      }
    });

    await t.step("a Gradio-like app with absolute asset URLs works on its port route", async () => {
      const origin = `http://127.0.0.1:${f.gradioPort}`;
      const page = await fetch(`${origin}/`, { headers: AUTH });
      const html = await page.text();
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? "");
      assertEquals(assets, ["/assets/app.css", "/assets/app.js"]);
      for (const asset of assets) {
        const response = await fetch(new URL(asset, origin), { headers: AUTH });
        assertEquals(response.status, 200, asset);
        const text = await response.text();
        if (asset.endsWith(".js")) assertEquals(text, GRADIO_LIKE_SCRIPT);
      }
      assertEquals(
        await firstWebSocketMessage(`ws://127.0.0.1:${f.gradioPort}/queue/join`, AUTH),
        "queue ready | echo:ping",
      );
    });

    await t.step(
      "a custom host name serves the app at its root on the dashboard port",
      async () => {
        const allowed = await rawGet(f.model.dashboardPort, "/x", "echo.test", [
          `Cookie: ${AUTH.cookie}`,
        ]);
        assertEquals(allowed.status, 200);
        const denied = await rawGet(f.model.dashboardPort, "/x", "echo.test");
        assertEquals(denied.status, 401);
      },
    );

    await t.step(
      "T01: without credentials every instance route answers 401, upgrades included",
      async () => {
        const targets: Array<[number, string]> = [
          [f.model.dashboardPort, "/instance/echo/"],
          [f.model.dashboardPort, "/instance/echo/ws"],
          [f.echoPort, "/"],
          [f.echoPort, "/ws"],
          [f.gradioPort, "/"],
          [f.gradioPort, "/queue/join"],
        ];
        for (const [port, path] of targets) {
          const wrongCookie = [`Cookie: aikore_session=nope`, "Authorization: Bearer nope"];
          for (const extra of [[], wrongCookie]) {
            assertEquals(
              (await rawGet(port, path, "127.0.0.1", extra)).status,
              401,
              `GET ${port}${path}`,
            );
            assertEquals(
              (await rawUpgrade(port, path, "127.0.0.1", extra)).status,
              401,
              `upgrade ${port}${path}`,
            );
          }
        }
        const post = await fetch(`${echoPort}/upload`, { method: "POST", body: "x" });
        assertEquals(post.status, 401);
        await post.body?.cancel();
      },
    );

    await t.step("browsers are sent to the login page from the path route only", async () => {
      const navigate = await rawGet(f.model.dashboardPort, "/instance/echo/page", "127.0.0.1", [
        "Sec-Fetch-Mode: navigate",
        "Accept: text/html",
      ]);
      assertEquals(navigate.status, 302);
      assertMatch(navigate.head, /\r\nLocation: \/login\?next=%2Finstance%2Fecho%2Fpage(\r\n|$)/);
      const oldBrowser = await rawGet(f.model.dashboardPort, "/instance/echo/", "127.0.0.1", [
        "Accept: text/html",
      ]);
      assertEquals(oldBrowser.status, 302);
      const script = await rawGet(f.model.dashboardPort, "/instance/echo/", "127.0.0.1", [
        "Sec-Fetch-Mode: cors",
        "Accept: text/html",
      ]);
      assertEquals(script.status, 401);
      const onPort = await rawGet(f.echoPort, "/p", "127.0.0.1", ["Sec-Fetch-Mode: navigate"]);
      assertEquals(onPort.status, 302, "the port route sends browsers to the dashboard login");
      const back = encodeURIComponent(`/_aikore/return?to=${encodeURIComponent(`${echoPort}/p`)}`);
      assertMatch(
        onPort.head,
        new RegExp(`\r\nLocation: ${dash.replaceAll(".", "\\.")}/login\\?next=${back}`),
      );
    });

    await t.step(
      "the auth subrequest carries credentials, Host, the original URI and no body",
      async () => {
        f.backend.checks.length = 0;
        const response = await fetch(`${dash}/instance/echo/upload?k=v`, {
          method: "POST",
          body: "a body that must not reach the auth check",
          headers: { ...AUTH, authorization: `Bearer ${SECRET}` },
        });
        await response.body?.cancel();
        const [check] = f.backend.checks;
        assert(check, "no auth check was made");
        assertEquals(f.backend.checks.length, 1);
        assertEquals(check.bodyBytes, 0);
        assertEquals(check.headers["content-length"] ?? "0", "0");
        assertEquals(check.headers["cookie"], AUTH.cookie);
        assertEquals(check.headers["authorization"], `Bearer ${SECRET}`);
        assertEquals(check.headers["host"], `127.0.0.1:${f.model.dashboardPort}`);
        assertEquals(check.headers["x-original-uri"], "/instance/echo/upload?k=v");
        assertEquals(check.headers["x-original-method"], "POST");
        assertEquals(check.headers["x-aikore-port"], String(f.model.dashboardPort));
        assertEquals(check.headers["x-aikore-route"], "path");
        assertEquals(check.headers["x-real-ip"], "127.0.0.1");
      },
    );

    await t.step("T07: unknown Hosts are refused on the dashboard and instance ports", async () => {
      const hosts = [
        "attacker.example",
        "127.0.0.1.nip.io",
        "localhost.attacker.example",
        "[::ffff:7f00:1]",
      ];
      for (const port of [f.model.dashboardPort, f.echoPort, f.gradioPort]) {
        for (const host of hosts) {
          const extra = [`Cookie: ${AUTH.cookie}`];
          assertEquals((await rawGet(port, "/", host, extra)).status, null, `${host} on ${port}`);
          assertEquals(
            (await rawUpgrade(port, "/ws", host, extra)).status,
            null,
            `${host} upgrade on ${port}`,
          );
        }
        for (const host of ["127.0.0.1", `localhost:${port}`]) {
          const status = (await rawGet(port, "/", host, [`Cookie: ${AUTH.cookie}`])).status;
          assertEquals(status, 200, `${host} on ${port}`);
        }
      }
    });

    await t.step(
      "a routing table change is live for the next request and never reloads nginx",
      async () => {
        const [newPort = 0] = f.spare;
        const extraApp = await startEchoApp();
        const logBefore = await Deno.readTextFile(f.gateway.paths.errorLog);
        try {
          const record = routeRecord({
            id: 3,
            slug: "extra",
            port: newPort,
            appPort: extraApp.port,
          });
          const before = await fetch(`http://127.0.0.1:${newPort}/n`, { headers: AUTH });
          assertEquals(before.status, 404, "nothing on this pool port yet: AiKore's page");
          await before.body?.cancel();
          f.table.upsert(record);
          assertEquals(
            (await json(await fetch(`http://127.0.0.1:${newPort}/n`, { headers: AUTH }))).path,
            "/n",
          );
          assertEquals(
            (await json(await fetch(`${dash}/instance/extra/p`, { headers: AUTH }))).path,
            "/p",
          );
          // The app goes away first, as on a real stop: nginx may still hold "pass to its
          // port" for this second, finds the port closed and asks AiKore again at once.
          await extraApp.close();
          f.table.upsert({ ...record, status: "stopped", appPort: null });
          const stopped = await fetch(`http://127.0.0.1:${newPort}/n`, { headers: AUTH });
          assertEquals(stopped.status, 503);
          assertMatch(await stopped.text(), /<h1>extra<\/h1>/);
          f.table.remove(3);
          const log = (await Deno.readTextFile(f.gateway.paths.errorLog)).slice(logBefore.length);
          assertEquals(/reconfiguring/.test(log), false, "no reload");
        } finally {
          await extraApp.close();
        }
      },
    );

    await t.step("concurrent settings changes run one at a time and the latest wins", async () => {
      const variants = [1, 2, 3, 4, 5].map((n) => ({
        ...f.model,
        serverNames: [...f.model.serverNames, `n${n}.test`],
      }));
      const results = await Promise.all(variants.map((model) => f.gateway.apply(model)));
      assertEquals(results.map((r) => r.ok), [true, true, true, true, true]);
      const live = await Deno.readTextFile(f.gateway.paths.confFile);
      assertMatch(live, /server_name 127\.0\.0\.1 localhost n5\.test;/);
      assertEquals(/n[1-4]\.test/.test(live), false);
      assertEquals((await f.gateway.apply(f.model)).ok, true);
    });

    await t.step("invalid settings are refused and the live routes stay", async () => {
      const live = await Deno.readTextFile(f.gateway.paths.confFile);
      for (const name of ["a;}server{", "$host", "x\nlisten 80"]) {
        const result = await f.gateway.apply({ ...f.model, serverNames: [name] });
        assertEquals(result.ok, false);
        assertMatch(result.error ?? "", /^Invalid gateway model: server name /);
      }
      assertEquals(await Deno.readTextFile(f.gateway.paths.confFile), live);
      assertEquals(
        (await json(await fetch(`${echoPort}/still`, { headers: AUTH }))).path,
        "/still",
      );
      assertMatch(f.gateway.status.lastError ?? "", /^Invalid gateway model: /);
      assertEquals((await f.gateway.apply(f.model)).ok, true);
      assertEquals(f.gateway.status.lastError, null);
    });
  } finally {
    const pid = f.gateway.status.pid;
    await f.close();
    assertEquals(f.gateway.status.running, false);
    if (pid !== null) assertEquals(await nginxGroupMembers(pid), []);
  }
});

Deno.test("with no server names NGINX accepts any Host and AiKore's auth check decides", async () => {
  const f = await startGatewayFixture({ serverNames: [] });
  try {
    for (const port of [f.model.dashboardPort, f.echoPort]) {
      const path = port === f.model.dashboardPort ? "/instance/echo/" : "/";
      assertEquals(
        (await rawGet(port, path, "anything.example", [`Cookie: ${AUTH.cookie}`])).status,
        200,
      );
      assertEquals((await rawGet(port, path, "anything.example")).status, 401);
    }
    const check = f.backend.checks.at(-1);
    assertEquals(check?.headers["host"], "anything.example");
  } finally {
    await f.close();
  }
});
