import { constantTimeEqual, randomHex, sha256Hex } from "./secret_token.ts";

/** How long a setup link stays valid. */
export const SETUP_TOKEN_TTL_MS = 30 * 60_000;

/**
 * The one-time setup secret for a server with no password yet. Only its SHA-256 is kept, in
 * memory; it dies at first use, after 30 minutes, or when a new one is issued.
 */
export class SetupTokenIssuer {
  readonly #now: () => number;
  #hash: string | null = null;
  #expiresAt = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** A new 256-bit token as 64 hex characters; any earlier token stops working. */
  issue(): string {
    const token = randomHex(32);
    this.#hash = sha256Hex(token);
    this.#expiresAt = this.#now() + SETUP_TOKEN_TTL_MS;
    return token;
  }

  /** True when `token` is the live setup token (does not use it up). */
  check(token: string | null | undefined): boolean {
    if (!token || !/^[0-9a-f]{64}$/.test(token) || this.#hash === null) return false;
    if (this.#now() >= this.#expiresAt) {
      this.revoke();
      return false;
    }
    return constantTimeEqual(sha256Hex(token), this.#hash);
  }

  /** Checks and uses up the token: true at most once per issued token. */
  consume(token: string | null | undefined): boolean {
    if (!this.check(token)) return false;
    this.revoke();
    return true;
  }

  /** Forgets the live token. */
  revoke(): void {
    this.#hash = null;
    this.#expiresAt = 0;
  }
}
