import { renderToString } from "preact-render-to-string";
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { DesktopToggle } from "./DesktopToggle.tsx";

const off = { available: false, reason: "Desktop mode is switched off (AIKORE_DESKTOP=off)" };
const render = (
  desktop: { available: boolean; reason: string | null } | undefined,
  checked: boolean,
) =>
  renderToString(
    <DesktopToggle
      label="Desktop mode of a"
      checked={checked}
      desktop={desktop}
      onChange={() => {}}
    />,
  );

Deno.test("the Desktop toggle is a checkbox where a backend exists, a dash with the reason elsewhere", () => {
  const available = render({ available: true, reason: null }, false);
  assert(available.includes('type="checkbox"'), available);

  const missing = render(off, false);
  assertEquals(missing.includes("checkbox"), false, missing);
  assert(missing.includes(`title="${off.reason}"`), missing);
  assert(missing.includes(`aria-label="Desktop mode of a: ${off.reason}"`), missing);

  // A row already in desktop mode keeps its checkbox (to turn it off), with the reason.
  const stuck = render(off, true);
  assert(stuck.includes('type="checkbox"') && stuck.includes(off.reason), stuck);
  // An older server that says nothing: the toggle stays.
  assert(render(undefined, false).includes('type="checkbox"'));
});
