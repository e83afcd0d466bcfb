import { C, libc, tryLibc } from "../libc/mod.ts";
import { frame, FRAME_HEADER, Msg } from "./protocol.ts";

/** How long the holder may take to answer (it answers at once unless its disk stalls). */
const ANSWER_TIMEOUT_SEC = 2;
/** struct msghdr, struct iovec and a control buffer for one int (LP64: x86-64, aarch64). */
const MSGHDR_BYTES = 56;
const IOVEC_BYTES = 16;
const CMSG_HEADER_BYTES = 16;
const CONTROL_BYTES = 24; // CMSG_SPACE(sizeof(int))

const pointerValue = (buffer: Uint8Array) =>
  BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer as Uint8Array<ArrayBuffer>)));

/**
 * Asks the holder at `socketPath` for its app's pty master (MSG_TAKE_INPUT, on a connection of
 * its own) and returns the received descriptor (non-blocking, close-on-exec; the caller owns it),
 * so that input is written straight to the app instead of through the holder: one process fewer
 * to wake per keystroke. Null when it cannot be had (a holder built before this request, the
 * app's terminal already gone, a full accept backlog, no answer within 2 s, no FFI): the caller
 * sends input through the holder as before. Never throws.
 */
export async function takeHolderInput(socketPath: string): Promise<number | null> {
  const c = tryLibc();
  if (c === null) return null;
  // Non-blocking for the connect: a holder whose accept backlog is full (it is stuck) must not
  // block AiKore's thread; blocking again for the answer, which waits on a pool thread ≤ 2 s.
  const fd = c.socket(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_CLOEXEC | C.SOCK_NONBLOCK, 0);
  if (fd < 0) return null;
  try {
    const path = new TextEncoder().encode(socketPath);
    const address = new Uint8Array(110); // sa_family_t + sun_path[108]
    new DataView(address.buffer).setUint16(0, C.AF_UNIX, true);
    if (path.length >= 108) return null;
    address.set(path, 2);
    const timeout = new BigInt64Array([BigInt(ANSWER_TIMEOUT_SEC), 0n]); // struct timeval
    c.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVTIMEO, new Uint8Array(timeout.buffer), 16);
    if (c.connect(fd, address, 2 + path.length + 1) !== 0) return null;
    c.fcntl(fd, C.F_SETFL, c.fcntl(fd, C.F_GETFL, 0) & ~C.O_NONBLOCK);
    const request = frame(Msg.takeInput);
    if (Number(c.write(fd, request, BigInt(request.length))) !== request.length) return null;
    return await receiveDescriptor(fd);
  } finally {
    c.close(fd);
  }
}

/** Touches buffers so that they stay reachable up to this point. */
function keepAlive(...buffers: Uint8Array[]): void {
  if (buffers.some((buffer) => buffer.byteLength < 0)) throw new Error("unreachable");
}

/** Reads the MSG_PTY_FD answer and the descriptor it carries; null for anything else. */
async function receiveDescriptor(socket: number): Promise<number | null> {
  const reply = new Uint8Array(FRAME_HEADER);
  const control = new Uint8Array(CONTROL_BYTES);
  const iovec = new Uint8Array(IOVEC_BYTES);
  const header = new Uint8Array(MSGHDR_BYTES);
  const iov = new DataView(iovec.buffer);
  iov.setBigUint64(0, pointerValue(reply), true);
  iov.setBigUint64(8, BigInt(reply.length), true);
  const msg = new DataView(header.buffer);
  msg.setBigUint64(16, pointerValue(iovec), true); // msg_iov
  msg.setBigUint64(24, 1n, true); // msg_iovlen
  msg.setBigUint64(32, pointerValue(control), true); // msg_control
  msg.setBigUint64(40, BigInt(control.length), true); // msg_controllen
  const count = Number(await libc().recvmsg_nb(socket, header, C.MSG_CMSG_CLOEXEC));
  // The kernel wrote through pointers held only inside `header`: keep their buffers reachable
  // until the call is over, or the GC could free them while a pool thread still uses them.
  keepAlive(reply, control, iovec);
  const cmsg = new DataView(control.buffer);
  const controlLength = Number(msg.getBigUint64(40, true));
  const carried = controlLength >= CMSG_HEADER_BYTES + 4 &&
      cmsg.getInt32(8, true) === C.SOL_SOCKET && cmsg.getInt32(12, true) === C.SCM_RIGHTS
    ? cmsg.getInt32(CMSG_HEADER_BYTES, true)
    : -1;
  if (count === FRAME_HEADER && reply[0] === Msg.ptyFd && carried >= 0) return carried;
  if (carried >= 0) libc().close(carried); // a descriptor with a wrong answer: not ours to keep
  return null;
}
