import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { BlueprintError } from "./blueprint_errors.ts";
import { parseBlueprintMetadata } from "./parse_blueprint_metadata.ts";

const FIXTURES = new URL("../../tests/fixtures/blueprint_meta/", import.meta.url);
const fixture = (name: string) => Deno.readTextFileSync(new URL(name, FIXTURES));

function parseError(text: string, file = "x.sh"): BlueprintError {
  try {
    parseBlueprintMetadata(text, file);
  } catch (error) {
    assert(error instanceof BlueprintError, `expected BlueprintError, got ${error}`);
    return error;
  }
  throw new Error("expected the parser to refuse the block");
}

const block = (...lines: string[]) =>
  ["### AIKORE-METADATA-START ###", ...lines, "### AIKORE-METADATA-END ###"].join("\n");

Deno.test("every known key is parsed and unknown keys are kept", () => {
  assertEquals(parseBlueprintMetadata(fixture("good_full.sh"), "good_full.sh"), {
    name: "Full Example",
    category: "Image Generation",
    description: "Every known key, plus one AiKore does not know.",
    venvType: "python",
    venvPath: "./venvs/main",
    persistentMode: true,
    health: { kind: "log", pattern: "Running on (local|public) URL" },
    startTimeoutSec: 600,
    proxy: "port",
    proxyPath: "strip",
    extra: { homepage: "https://example.invalid/app" },
  });
});

Deno.test("a file without a block gets the defaults and its name from the file name", () => {
  assertEquals(parseBlueprintMetadata(fixture("good_defaults.sh"), "good_defaults.sh"), {
    name: "good_defaults",
    category: "Other",
    description: "",
    venvType: "conda",
    venvPath: "./env",
    persistentMode: false,
    health: { kind: "http", path: "/" },
    startTimeoutSec: 180,
    proxy: "both",
    proxyPath: "strip",
    extra: {},
  });
});

Deno.test("proxy_path is strip or keep; anything else is refused", () => {
  const keep = parseBlueprintMetadata(block("# aikore.proxy_path = keep"), "k.sh");
  assertEquals(keep.proxyPath, "keep");
  const error = parseError(block("# aikore.proxy_path = prefix"));
  assert(/must be one of strip, keep/.test(error.message), error.message);
});

Deno.test("a block without a name key takes the name from the file name", () => {
  const meta = parseBlueprintMetadata(block("# aikore.category = Training"), "/x/Kohya_ss.sh");
  assertEquals([meta.name, meta.category], ["Kohya_ss", "Training"]);
});

Deno.test("CRLF line endings, spaced markers and http health paths are accepted", () => {
  const meta = parseBlueprintMetadata(fixture("good_crlf.sh"), "good_crlf.sh");
  assertEquals(meta.name, "Windows Line Endings");
  assertEquals(meta.health, { kind: "http", path: "/api/health?x=1" });
  assertEquals(meta.venvType, "none");
});

Deno.test("values are split at the first '=' and trimmed", () => {
  const meta = parseBlueprintMetadata(
    block("#aikore.description =  a = b  ", "# aikore.health = process"),
    "x.sh",
  );
  assertEquals(meta.description, "a = b");
  assertEquals(meta.health, { kind: "process" });
});

Deno.test("malformed fixture blocks name the line and the reason", () => {
  const cases: Array<[string, number, RegExp]> = [
    ["bad_missing_end.sh", 2, /never closed/],
    ["bad_duplicate_key.sh", 4, /duplicate key "name" \(first set on line 2\)/],
    ["bad_venv_type.sh", 3, /venv_type must be one of conda, python, none \(got "docker"\)/],
    [
      "bad_line_form.sh",
      3,
      /expected "# aikore.<key> = <value>", got "# name: this is not the form"/,
    ],
    ["bad_start_twice.sh", 4, /second metadata START marker \(the first is on line 1\)/],
    ["bad_log_regex.sh", 3, /not a valid regular expression/],
    ["bad_timeout.sh", 2, /between 1 and 3600/],
    ["bad_venv_path.sh", 2, /venv_path must not contain empty, '\.' or '\.\.' segments/],
    ["bad_end_first.sh", 2, /END marker without a START/],
  ];
  for (const [file, line, reason] of cases) {
    const error = parseError(fixture(file), file);
    assertEquals(error.line, line, `${file}: ${error.message}`);
    assert(reason.test(error.message), `${file}: ${error.message}`);
    assert(error.message.startsWith(`${file}, line ${line}: `), error.message);
  }
});

Deno.test("bad values of every typed key are refused", () => {
  const bad = [
    "# aikore.name =",
    "# aikore.category =",
    "# aikore.venv_path = /abs/env",
    "# aikore.persistent_mode = yes",
    "# aikore.health = tcp:8080",
    "# aikore.health = http:no-slash",
    "# aikore.health = log:",
    "# aikore.start_timeout = 3601",
    "# aikore.start_timeout = 1.5",
    "# aikore.proxy = gateway",
    "# aikore.Name = Upper",
    "# aikore. = empty key",
    "# aikore.name = bad\u0007bell",
  ];
  for (const line of bad) assertEquals(parseError(block(line)).line, 2, line);
});

Deno.test("limits are accepted at their edges", () => {
  const meta = parseBlueprintMetadata(
    block(
      "# aikore.start_timeout = 3600",
      "# aikore.persistent_mode = FALSE",
      "# aikore.venv_path = env",
    ),
    "x.sh",
  );
  assertEquals([meta.startTimeoutSec, meta.persistentMode, meta.venvPath], [3600, false, "env"]);
  assertEquals(
    parseBlueprintMetadata(block("# aikore.start_timeout = 1"), "x.sh").startTimeoutSec,
    1,
  );
});

Deno.test("text outside the block is ignored, even metadata-looking lines", () => {
  const text = ["# aikore.name = Outside", block("# aikore.category = Inside"), "# nonsense"].join(
    "\n",
  );
  const meta = parseBlueprintMetadata(text, "file.sh");
  assertEquals([meta.name, meta.category], ["file", "Inside"]);
});
