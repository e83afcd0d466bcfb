import { assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { configShapeProblem } from "./config_shape.ts";
import type { GatewayModel } from "./gateway_model.ts";
import { nginxPaths } from "./nginx_paths.ts";
import { directiveMultiset, parseNginxConfig } from "./parse_nginx_config.ts";
import { renderNginxConfig } from "./render_nginx_config.ts";

Deno.test("the parser reads words, quotes, comments, blocks and ${} variables", () => {
  const parsed = parseNginxConfig(
    "# top\na 1 \"two words\" 'q;{}';\nb {\n  c $x${y}z; # trailing\n  d { e; }\n}\n",
  );
  assertEquals(parsed, [
    { name: "a", args: ["1", "two words", "q;{}"] },
    {
      name: "b",
      args: [],
      children: [{ name: "c", args: ["$x${y}z"] }, {
        name: "d",
        args: [],
        children: [{ name: "e", args: [] }],
      }],
    },
  ]);
  for (const bad of ["a {", "}", "a", '"open;', "{ a; }"]) {
    assertThrows(() => parseNginxConfig(bad));
  }
});

Deno.test("the multiset names context, directive and token count; map entries are values", () => {
  const set = directiveMultiset(
    parseNginxConfig("http { map $a $b { default 0; x 1; } server { listen 1 2; } }"),
  );
  assertEquals(set, [
    ">http>map|(entry)|1",
    ">http>map|(entry)|1",
    ">http>server|listen|2",
    ">http|map|2",
    ">http|server|0",
    "|http|0",
  ]);
});

const paths = nginxPaths("/srv/aikore");
const model: GatewayModel = {
  listenHost: "127.0.0.1",
  dashboardPort: 9000,
  backendPort: 9100,
  serverNames: ["localhost"],
  poolPorts: [19001],
};

Deno.test("the shape check accepts the rendering and catches any injected directive", () => {
  const text = renderNginxConfig(model, paths);
  assertEquals(configShapeProblem(text, model, paths), null);
  const injections = [
    text.replace("server_name localhost;", "server_name localhost; include /etc/passwd;"),
    text.replace(
      "location ~ ^/instance/[^/]+/ {",
      "location /secret/ { return 200; }\n    location ~ ^/instance/[^/]+/ {",
    ),
    text.replace("server_name localhost;", "server_name localhost evil.com;"),
    text.replace(
      "proxy_pass http://127.0.0.1:$aikore_port$aikore_target_uri;",
      "proxy_pass http://127.0.0.1:$aikore_port$aikore_target_uri ;\n}\nserver {",
    ),
    text + "server { }\n",
  ];
  for (const injected of injections) {
    const problem = configShapeProblem(injected, model, paths);
    assertEquals(typeof problem, "string", injected.slice(0, 40));
  }
});
