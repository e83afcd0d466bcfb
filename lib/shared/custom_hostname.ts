import { hostnameProblem } from "./identifiers.ts";

/** Who else claims host names: the dashboard, and the other instances. */
export interface HostnameClaims {
  /** The dashboard's own names (AIKORE_ALLOWED_HOSTS, the listen address, loopback), any case. */
  dashboardNames: readonly string[];
  /** Host names other instances use, with the instance's name for the message. */
  others: ReadonlyArray<{ name: string; hostname: string | null }>;
}

const IPV4_LIKE_RE = /^[0-9.]+$/;
const LOOPBACK_RE =
  /^(?:localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)$|\.localhost$/;

/**
 * Why `hostname` cannot be an instance's custom host name, or null: it must be a DNS name
 * that is not a loopback name, not an IP literal, not one of the dashboard's names and not
 * another instance's (such a name would never reach the app, or take the dashboard's place).
 */
export function customHostnameProblem(hostname: string, claims: HostnameClaims): string | null {
  const syntax = hostnameProblem(hostname);
  if (syntax) return syntax;
  const name = hostname.toLowerCase().replace(/\.$/, "");
  if (LOOPBACK_RE.test(name)) return "must not be a loopback name such as localhost";
  if (IPV4_LIKE_RE.test(name)) return "must be a DNS name, not an IP address";
  if (claims.dashboardNames.some((own) => own.toLowerCase() === name)) {
    return "is the dashboard's own host name";
  }
  const holder = claims.others.find((other) => other.hostname?.toLowerCase() === name);
  if (holder) return `is already used by instance "${holder.name}"`;
  return null;
}
