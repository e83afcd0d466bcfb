import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { fdPoller } from "./fd_poller.ts";
import { spawnPty } from "./spawn_pty.ts";

// Regression: a parked read and waitpid per terminal exhausted Deno's pool of threads for
// nonblocking calls at 16 terminals, and every async file operation of AiKore hung.
Deno.test("60 live terminals park no thread each: file operations and output keep flowing", async () => {
  const ptys = Array.from({ length: 60 }, (_, i) =>
    spawnPty({
      file: "bash",
      args: ["-c", `echo ready-${i}; exec sleep 100`],
      env: { PATH: "/usr/bin:/bin" },
      cwd: "/tmp",
    }));
  try {
    const seen = new Set<number>();
    await Promise.all(ptys.map((pty, i) =>
      new Promise<void>((resolve) => {
        let text = "";
        pty.onData((chunk) => {
          text += new TextDecoder().decode(chunk);
          if (text.includes(`ready-${i}`)) {
            seen.add(i);
            resolve();
          }
        });
      })
    ));
    assertEquals(seen.size, 60);
    const read = await Promise.race([
      Deno.readTextFile("/proc/self/status").then((text) => text),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000)),
    ]);
    assert(read !== null, "an async file read completed");
    const threads = Number(/Threads:\s+(\d+)/.exec(read)?.[1]);
    assert(threads < 30, `${threads} threads for 60 terminals`);
  } finally {
    for (const pty of ptys) pty.kill("SIGKILL");
    await Promise.all(ptys.map((pty) => pty.close()));
  }
  assertEquals(fdPoller().size, 0, "nothing left to watch: no parked call keeps the process alive");
});
