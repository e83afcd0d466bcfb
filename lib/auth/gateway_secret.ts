import { constantTimeEqual, randomHex } from "./secret_token.ts";

/**
 * The header AiKore's own nginx adds to every request it proxies to the backend, with a secret
 * made fresh at each start. Only a request carrying it is trusted to say who the client is
 * (`X-Real-IP`, `X-Forwarded-Proto`): a loopback peer alone proves nothing, since any local
 * process, or anyone through an `ssh -L` tunnel while nginx is off, is a loopback peer too.
 */
export const GATEWAY_SECRET_HEADER = "X-AiKore-Gateway";

const SECRET = randomHex(32);

/** The value nginx must send in GATEWAY_SECRET_HEADER (write it only into the 0600 config). */
export function gatewaySecret(): string {
  return SECRET;
}

/** True when `value` is this start's gateway secret. */
export function isGatewaySecret(value: string | null | undefined): boolean {
  return typeof value === "string" && constantTimeEqual(value, SECRET);
}
