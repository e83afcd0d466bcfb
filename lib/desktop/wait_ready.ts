/** Why a program did not become ready. */
export class NotReadyError extends Error {
  constructor(message: string, readonly exited: boolean) {
    super(message);
    this.name = "NotReadyError";
  }
}

function deadline(ms: number, what: string): { promise: Promise<never>; clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new NotReadyError(`${what}: not ready after ${ms} ms`, false)),
      ms,
    );
  });
  return { promise, clear: () => clearTimeout(timer) };
}

function exitOf(status: Promise<Deno.CommandStatus>, what: string): Promise<never> {
  return status.then((s) => {
    throw new NotReadyError(
      `${what} exited (code ${s.code}${s.signal ? `, ${s.signal}` : ""})`,
      true,
    );
  });
}

/**
 * Reads the display number an X server started with `-displayfd 1` prints once it accepts
 * connections (an event, no polling); fails when it exits first or after `timeoutMs`.
 */
export async function readDisplayFd(
  stdout: ReadableStream<Uint8Array>,
  status: Promise<Deno.CommandStatus>,
  timeoutMs: number,
): Promise<number> {
  const read = (async () => {
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of stdout) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes("\n")) break;
    }
    const display = Number(text.trim());
    if (!text.includes("\n") || !Number.isSafeInteger(display)) {
      throw new NotReadyError(`X server closed its display pipe with "${text.trim()}"`, true);
    }
    return display;
  })();
  const limit = deadline(timeoutMs, "X server");
  try {
    return await Promise.race([read, exitOf(status, "X server"), limit.promise]);
  } finally {
    limit.clear();
    read.catch(() => {}); // a late failure after another branch won is already reported
  }
}

async function accepts(port: number): Promise<boolean> {
  try {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    connection.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until 127.0.0.1:`port` accepts a connection. websockify has no readiness signal, so
 * this polls (every 25 ms); it fails at once when the program exits, or after `timeoutMs`.
 */
export async function waitForPort(
  port: number,
  status: Promise<Deno.CommandStatus>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  let ended = false;
  const exited = exitOf(status, what).catch((error) => {
    ended = true;
    throw error;
  });
  const poll = (async () => {
    while (!ended && !(await accepts(port))) await new Promise((r) => setTimeout(r, 25));
  })();
  const limit = deadline(timeoutMs, what);
  try {
    await Promise.race([poll, exited, limit.promise]);
  } finally {
    ended = true;
    limit.clear();
    exited.catch(() => {});
  }
}
