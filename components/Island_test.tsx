import { renderToString } from "preact-render-to-string";
import { assert, assertEquals } from "../tests/helpers/assert.ts";
import { Island, serializeIslandProps } from "./Island.tsx";

function Greeting(props: { name: string }) {
  return <p>Hello {props.name}</p>;
}

const HOSTILE = "</script><script>alert(1)</script>\u2028<!-- & \u2029";

Deno.test("island props cannot close their script element and round-trip exactly", () => {
  const json = serializeIslandProps({ name: HOSTILE });
  assert(!/[<>&\u2028\u2029]/.test(json), json);
  assertEquals(JSON.parse(json), { name: HOSTILE });
});

Deno.test("an island renders its component inside a marked root, props in a data script", () => {
  const html = renderToString(
    <Island name="Greeting" component={Greeting} props={{ name: HOSTILE }} />,
  );
  const match = /^<div data-island="Greeting" class="island"><p>Hello (.*?)<\/p><\/div>(.*)$/s
    .exec(html);
  assert(match, html);
  assert(!match[1]?.includes("<script"), "component text is escaped");
  const script = /^<script type="application\/json" data-island-props="Greeting">(.*)<\/script>$/s
    .exec(match[2] ?? "");
  assert(script, match[2]);
  assertEquals(JSON.parse(script[1] ?? ""), { name: HOSTILE });
});
