import { isAbsolute, join } from "node:path";
import { C, lastErrno, libc } from "../libc/mod.ts";
import { describeErrno } from "./errno_name.ts";
import { spawnOnTerminal } from "./spawn_child.ts";
import { clampDimension, FfiPty } from "./ffi_pty.ts";
import { resolveProgram } from "./resolve_program.ts";
import type { Pty, PtySpawnOptions } from "./pty.ts";

// $0 is the cgroup.procs file; "0" moves the writing process itself. The redirection of stderr
// comes first so that a refused write stays silent; exec keeps the pid (and its start time).
const ENTER_CGROUP = ["sh", "-c", 'echo 0 2>/dev/null >"$0"; exec "$@"'];

/**
 * Starts `options.file` on a new pseudo-terminal, in its own session (pid = sid = pgid).
 * Throws an Error naming the program and the reason (ENOENT, missing cwd …) when it cannot.
 */
export function spawnPty(options: PtySpawnOptions): Pty {
  if (options.file === "") throw new TypeError("Cannot start a PTY: the program name is empty");
  checkDirectory(options.file, options.cwd);
  const c = libc();
  const master = c.posix_openpt(C.O_RDWR | C.O_NOCTTY | C.O_CLOEXEC);
  if (master < 0) {
    throw new Error(`Cannot open a pseudo-terminal: ${describeErrno(lastErrno())}`);
  }
  try {
    const ttyPath = preparePty(master);
    const cols = clampDimension(options.cols, 80);
    const rows = clampDimension(options.rows, 24);
    c.ioctl(master, C.TIOCSWINSZ, new Uint16Array([rows, cols, 0, 0]));
    const env = { TERM: "xterm-256color", ...options.env };
    const program = resolveProgram(options.file, env, options.cwd);
    // Through the /bin/sh step an exec failure would only show as exit 127: check it here.
    if (options.enterCgroup !== undefined) assertExecutable(program, options.cwd);
    const pid = spawnOnTerminal({
      ...(options.enterCgroup === undefined ? { program, argv: [options.file, ...options.args] } : {
        program: "/bin/sh",
        argv: [...ENTER_CGROUP, options.enterCgroup, program, ...options.args],
      }),
      env,
      cwd: options.cwd,
      ttyPath,
    });
    return new FfiPty(master, pid, ttyPath);
  } catch (error) {
    c.close(master);
    throw error;
  }
}

function preparePty(master: number): string {
  const c = libc();
  if (c.grantpt(master) !== 0 || c.unlockpt(master) !== 0) {
    throw new Error(`Cannot unlock the pseudo-terminal: ${describeErrno(lastErrno())}`);
  }
  const name = new Uint8Array(128);
  const error = c.ptsname_r(master, name, BigInt(name.length));
  if (error !== 0) throw new Error(`Cannot name the pseudo-terminal: ${describeErrno(error)}`);
  const end = name.indexOf(0);
  return new TextDecoder().decode(name.subarray(0, end < 0 ? name.length : end));
}

function assertExecutable(program: string, cwd: string): void {
  let errno = 0;
  try {
    const info = Deno.statSync(isAbsolute(program) ? program : join(cwd, program));
    if (!info.isFile || ((info.mode ?? 0o111) & 0o111) === 0) errno = 13;
  } catch (error) {
    errno = error instanceof Deno.errors.PermissionDenied ? 13 : 2;
  }
  if (errno !== 0) throw new Error(`Cannot start "${program}": ${describeErrno(errno)}`);
}

function checkDirectory(program: string, cwd: string): void {
  let isDirectory = false;
  try {
    isDirectory = Deno.statSync(cwd).isDirectory;
  } catch {
    throw new Error(`Cannot start "${program}": working directory ${cwd} does not exist`);
  }
  if (!isDirectory) {
    throw new Error(`Cannot start "${program}": working directory ${cwd} is not a directory`);
  }
}
