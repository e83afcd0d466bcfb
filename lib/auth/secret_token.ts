import { Buffer } from "node:buffer";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** `bytes` random bytes from the system CSPRNG, as lower-case hex. */
export function randomHex(bytes = 32): string {
  return randomBytes(bytes).toString("hex");
}

/** `bytes` random bytes as unpadded base64url (cookie- and header-safe). */
export function randomBase64Url(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** SHA-256 of `text` as hex: what the database keeps instead of a session id or API token. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) {
    // Still burn a comparison so a length mismatch costs about as much as a content one.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
