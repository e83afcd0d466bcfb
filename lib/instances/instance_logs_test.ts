import { assertEquals } from "../../tests/helpers/assert.ts";
import { InstanceLogs, LAST_OUTPUT_LINES } from "./instance_logs.ts";
import { InstancePaths } from "./instance_paths.ts";

Deno.test("last output: the tail of the real log, re-read when it grows, null when missing or a link", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-logs-" });
  try {
    const paths = new InstancePaths(dataDir);
    const logs = new InstanceLogs(paths);
    assertEquals(logs.lastOutput("app"), null, "no log yet");
    await Deno.mkdir(paths.logsDir("app"), { recursive: true });
    const filler = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join("\n");
    await Deno.writeTextFile(paths.logFile("app"), `${filler}\n\x1b[31mERROR: no host\x1b[0m\n`);
    assertEquals(logs.lastOutput("app")?.slice(-2), ["line 1999", "ERROR: no host"]);
    assertEquals(logs.lastOutput("app")?.length, LAST_OUTPUT_LINES);
    await Deno.writeTextFile(paths.logFile("app"), "10%\r100%\r\nexit 3\n", { append: true });
    assertEquals(logs.lastOutput("app")?.slice(-2), ["100%", "exit 3"]);
    const secret = `${dataDir}/secret.txt`;
    await Deno.writeTextFile(secret, "TOP-SECRET\n");
    await Deno.remove(paths.logFile("app"));
    await Deno.symlink(secret, paths.logFile("app"));
    assertEquals(logs.lastOutput("app"), null, "a link is never followed");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
