/**
 * Named pipes planted where AiKore reads a file: opening one for reading blocks until a writer
 * comes. A test plants one with `plantFifo` and starts `fifoRescuer`, which opens the pipe
 * itself after a while, so a read that blocked ends (and the test can fail) instead of hanging.
 */
import { assert } from "./assert.ts";

/** After this long the rescuer opens the pipe, so a blocked read ends. */
export const RESCUE_AFTER_S = 3;
/** A read that refuses the pipe answers well within this. */
export const REFUSED_WITHIN_MS = 1500;

/** Replaces `path` by a named pipe. */
export async function plantFifo(path: string): Promise<void> {
  await Deno.remove(path).catch(() => {});
  const { success } = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert(success, `mkfifo ${path}`);
}

/**
 * Opens the pipe for reading and writing after RESCUE_AFTER_S (that never blocks), writes
 * "rescued" and closes it 2 s later: a stuck open ends, then its read. Kill it when done.
 */
export function fifoRescuer(path: string): Deno.ChildProcess {
  const script = `import os, sys, time
time.sleep(${RESCUE_AFTER_S})
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NONBLOCK)
os.write(fd, b"rescued\\n")
time.sleep(2)`;
  return new Deno.Command("python3", { args: ["-c", script, path], stderr: "null" }).spawn();
}
