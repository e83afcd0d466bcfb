/** What a ticket carries from the dashboard's origin to a custom host name's origin. */
export interface LoginTicket {
  sessionId: string;
  /** Where the browser goes once the session cookie is set on that origin. */
  target: string;
}

interface Held extends LoginTicket {
  host: string;
  expiresAt: number;
}

const TTL_MS = 60_000;
const MAX_HELD = 1000;

function randomTicket(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * One-time tickets that carry a signed-in browser's session to a custom host name: cookies
 * are per host, so the session cookie of the dashboard's host never reaches `comfy.lan`. A
 * ticket is random (256 bits), lives a minute, is used at most once and only on the host of
 * the target it was issued for. Held in memory: a restart only means logging in again.
 */
export class LoginTickets {
  readonly #held = new Map<string, Held>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A ticket for `sessionId` to be redeemed on `target`'s host (an absolute URL). */
  issue(sessionId: string, target: string): string {
    this.#purge();
    if (this.#held.size >= MAX_HELD) this.#held.delete(this.#held.keys().next().value ?? "");
    const ticket = randomTicket();
    const host = new URL(target).host.toLowerCase();
    this.#held.set(ticket, { sessionId, target, host, expiresAt: this.now() + TTL_MS });
    return ticket;
  }

  /** The ticket's session and target when it is live and `host` is its target's; used up. */
  redeem(ticket: string, host: string): LoginTicket | null {
    const held = this.#held.get(ticket);
    if (!held) return null;
    this.#held.delete(ticket);
    if (held.expiresAt <= this.now() || held.host !== host.toLowerCase()) return null;
    return { sessionId: held.sessionId, target: held.target };
  }

  #purge(): void {
    const now = this.now();
    for (const [ticket, held] of this.#held) if (held.expiresAt <= now) this.#held.delete(ticket);
  }
}
