/**
 * Test support (not used by production code): collects pty output as text and waits for
 * patterns, failing with the output seen so far.
 */
import { isRunning } from "../procfs/mod.ts";
export class TestOutput {
  text = "";
  bytes = 0;
  #decoder = new TextDecoder();
  #waiters = new Set<() => void>();

  /** Feeds a chunk; pass it as a pty/session listener: `pty.onData(out.add)`. */
  add = (chunk: Uint8Array): void => {
    this.bytes += chunk.length;
    this.text += this.#decoder.decode(chunk, { stream: true });
    for (const wake of this.#waiters) wake();
  };

  /** Resolves with the text once `pattern` appears after `from`; rejects after `timeoutMs`. */
  waitFor(pattern: string | RegExp, timeoutMs = 5000, from = 0): Promise<string> {
    const found = () => {
      const rest = this.text.slice(from);
      return typeof pattern === "string" ? rest.includes(pattern) : pattern.test(rest);
    };
    if (found()) return Promise.resolve(this.text);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(`Timed out waiting for ${pattern}; output was:\n${this.text.slice(-2000)}`),
        );
      }, timeoutMs);
      const check = () => {
        if (!found()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(this.text);
      };
      this.#waiters.add(check);
    });
  }
}

/** A minimal environment for test shells (nothing inherited). */
export const TEST_ENV: Record<string, string> = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/tmp",
  LANG: "C.UTF-8",
  PS1: "$ ",
};

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** True while a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  return isRunning(pid);
}

/**
 * Makes a FIFO at `path` for a child to wait on (`read -r _ < path`), so that it starts only
 * when the test writes a line to it (e.g. once a viewer is attached).
 */
export async function makeStartGate(path: string): Promise<void> {
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  if (!made.success) {
    throw new Error(`mkfifo ${path} failed: ${new TextDecoder().decode(made.stderr)}`);
  }
}
