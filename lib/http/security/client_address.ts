import type { Context } from "hono";
import { GATEWAY_SECRET_HEADER, isGatewaySecret } from "../../auth/mod.ts";

const IP_RE = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

/** Address of the TCP peer (`Deno.serve` passes it as the Hono env), or null when unknown. */
export function peerAddress(c: Context): { hostname: string; transport: string } | null {
  const env = c.env as { remoteAddr?: Deno.Addr } | undefined;
  const addr = env?.remoteAddr;
  if (!addr) return null;
  if (addr.transport === "unix" || addr.transport === "unixpacket") {
    return { hostname: "unix", transport: addr.transport };
  }
  return { hostname: (addr as Deno.NetAddr).hostname, transport: addr.transport };
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string): boolean {
  const text = address.toLowerCase().replace(/^\[|\]$/g, "");
  if (text === "::1" || text === "0:0:0:0:0:0:0:1") return true;
  const v4 = text.startsWith("::ffff:") ? text.slice(7) : text;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * The request came through AiKore's own nginx, whose forwarding headers we trust: a local peer
 * (loopback or unix socket) that also carries this start's gateway secret. A loopback peer alone
 * is any local process, or any client while nginx is off.
 */
export function peerIsTrustedGateway(c: Context): boolean {
  const peer = peerAddress(c);
  if (!peer) return false;
  const local = peer.transport !== "tcp" && peer.transport !== "udp" ||
    isLoopbackAddress(peer.hostname);
  return local && isGatewaySecret(c.req.header(GATEWAY_SECRET_HEADER));
}

/**
 * The client's address for rate limits and audit: `X-Real-IP` when the TCP peer is the local
 * gateway, else the peer itself. Forwarded headers from anyone else are ignored.
 */
export function clientAddress(c: Context): string {
  const peer = peerAddress(c);
  if (!peer) return "unknown";
  if (peerIsTrustedGateway(c)) {
    const real = c.req.header("x-real-ip")?.trim();
    if (real && IP_RE.test(real) && real.length <= 45) return real.toLowerCase();
  }
  return peer.hostname;
}

/** The browser reached us over HTTPS: directly, or through the trusted gateway's `X-Forwarded-Proto`. */
export function requestIsHttps(c: Context): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  return peerIsTrustedGateway(c) &&
    c.req.header("x-forwarded-proto")?.trim().toLowerCase() === "https";
}
