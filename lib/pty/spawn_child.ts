import { C, cString, cStringArray, libc } from "../libc/mod.ts";
import { describeErrno } from "./errno_name.ts";

/** What `spawnOnTerminal` starts. */
export interface ChildSpec {
  /** The executable to run (a name without "/" is looked up in AiKore's PATH). */
  program: string;
  argv: readonly string[];
  env: Record<string, string>;
  cwd: string;
  /** The pty slave, e.g. "/dev/pts/3"; it becomes the child's stdin/stdout/stderr and ctty. */
  ttyPath: string;
}

/**
 * Starts a child in a new session whose controlling terminal is `ttyPath`, with every signal
 * reset to its default and an empty signal mask (Deno ignores SIGPIPE and an ignored signal
 * survives exec). glibc runs setsid() before the file actions, so opening the slave without
 * O_NOCTTY as fd 0 acquires it as the controlling terminal. Returns the pid.
 */
export function spawnOnTerminal(spec: ChildSpec): number {
  const c = libc();
  const program = spec.program;
  if (program === "" || spec.argv.length === 0) throw new TypeError("Cannot spawn: argv is empty");
  const actions = new Uint8Array(C.FILE_ACTIONS_SIZE);
  const attr = new Uint8Array(C.SPAWNATTR_SIZE);
  const allSignals = new Uint8Array(C.SIGSET_SIZE);
  const noSignals = new Uint8Array(C.SIGSET_SIZE);
  const tty = cString(spec.ttyPath);
  const cwd = cString(spec.cwd);
  const file = cString(program);
  const argv = cStringArray(spec.argv);
  const envp = cStringArray(Object.entries(spec.env).map(([key, value]) => `${key}=${value}`));
  const pid = new Int32Array(1);
  check(c.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
  try {
    check(c.posix_spawnattr_init(attr), "posix_spawnattr_init");
    try {
      check(c.posix_spawn_file_actions_addopen(actions, 0, tty, C.O_RDWR, 0), "addopen");
      check(c.posix_spawn_file_actions_adddup2(actions, 0, 1), "adddup2");
      check(c.posix_spawn_file_actions_adddup2(actions, 0, 2), "adddup2");
      check(c.posix_spawn_file_actions_addclosefrom_np(actions, 3), "addclosefrom_np");
      check(c.posix_spawn_file_actions_addchdir_np(actions, cwd), "addchdir_np");
      c.sigfillset(allSignals);
      c.sigemptyset(noSignals);
      check(c.posix_spawnattr_setsigdefault(attr, allSignals), "setsigdefault");
      check(c.posix_spawnattr_setsigmask(attr, noSignals), "setsigmask");
      const flags = C.POSIX_SPAWN_SETSID | C.POSIX_SPAWN_SETSIGDEF | C.POSIX_SPAWN_SETSIGMASK;
      check(c.posix_spawnattr_setflags(attr, flags), "setflags");
      const error = c.posix_spawnp(pid, file, actions, attr, argv.array, envp.array);
      if (error !== 0) {
        throw new Error(`Cannot start "${program}": ${describeErrno(error)}`);
      }
    } finally {
      c.posix_spawnattr_destroy(attr);
    }
  } finally {
    c.posix_spawn_file_actions_destroy(actions);
  }
  // Keep the C strings reachable until posix_spawnp has returned (it copies them by then).
  void [argv.keep, envp.keep, tty, cwd, file];
  return pid[0] ?? 0;
}

function check(result: number, call: string): void {
  if (result !== 0) {
    throw new Error(`Cannot prepare the child process: ${call} failed: ${describeErrno(result)}`);
  }
}
