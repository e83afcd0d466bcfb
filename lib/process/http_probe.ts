const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Throws a RangeError unless `path` is a safe request target ("/", "/app/?x=1" …). */
export function assertProbePath(path: string): void {
  if (!/^\/[\x21-\x7e]*$/.test(path)) {
    throw new RangeError(`Invalid health check path ${JSON.stringify(path)}: must start with "/"`);
  }
}

/**
 * One HTTP/1.1 GET to 127.0.0.1:`port`; the status code, or null when nothing answered in time.
 * Raw on purpose: a refused connect costs microseconds, no connection is pooled or kept open
 * against the app, and nothing is followed or decoded.
 */
export async function probeHttp(
  port: number,
  path: string,
  timeoutMs = 2000,
): Promise<number | null> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return null;
  }
  const timer = setTimeout(() => closeQuietly(conn), timeoutMs);
  try {
    const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
      `User-Agent: AiKore-health\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
    const bytes = encoder.encode(request);
    for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
    const buffer = new Uint8Array(1024);
    let head = "";
    while (!head.includes("\r\n") && head.length < 1024) {
      const count = await conn.read(buffer);
      if (count === null) break;
      head += decoder.decode(buffer.subarray(0, count));
    }
    const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head)?.[1];
    return status === undefined ? null : Number(status);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed (by the timeout)
  }
}
