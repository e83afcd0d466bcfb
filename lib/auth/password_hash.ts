import { Buffer } from "node:buffer";
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt cost parameters, stored with every hash so they can be raised later. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet minimum for scrypt (about 128 MiB per hash). */
export const OWASP_SCRYPT: Readonly<ScryptParams> = { N: 2 ** 17, r: 8, p: 1 };

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const HASH_RE = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** A stored hash, decoded. */
export interface ParsedHash {
  params: ScryptParams;
  salt: Uint8Array;
  key: Uint8Array;
}

/** Decodes `scrypt$N=…,r=…,p=…$<salt b64>$<key b64>`; null when the text is not one. */
export function parsePasswordHash(encoded: string): ParsedHash | null {
  const match = HASH_RE.exec(encoded);
  if (!match) return null;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 22) return null;
  if (r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(match[4] ?? "", "base64");
  const key = Buffer.from(match[5] ?? "", "base64");
  if (salt.length < 16 || key.length < 16) return null;
  return { params: { N, r, p }, salt, key };
}

function derive(password: string, salt: Uint8Array, params: ScryptParams, length: number) {
  // maxmem must exceed 128·N·r bytes or node:crypto refuses the parameters.
  const maxmem = 128 * params.N * params.r * 2 + 1024 * 1024;
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, length, { ...params, maxmem }, (error, key) => {
      if (error) reject(new Error(`scrypt failed: ${error.message}`));
      else resolve(key);
    })
  );
}

/** Hashes a password with a fresh salt; the result records its parameters. Off the main thread. */
export async function hashPassword(
  password: string,
  params: ScryptParams = OWASP_SCRYPT,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return `scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString("base64")}$${
    key.toString("base64")
  }`;
}

/** Checks a password against a stored hash in constant time; false for a malformed hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parsePasswordHash(encoded);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** True when a stored hash is weaker than `params` and should be replaced at the next login. */
export function needsRehash(encoded: string, params: ScryptParams = OWASP_SCRYPT): boolean {
  const parsed = parsePasswordHash(encoded);
  if (!parsed) return true;
  return parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p;
}

/** What the auth service uses to hash and check passwords (wrap it to count verifications). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, encoded: string): Promise<boolean>;
}

/** The production hasher: scrypt with OWASP parameters. */
export const scryptHasher: PasswordHasher = {
  hash: (password) => hashPassword(password),
  verify: verifyPassword,
};

/** Why a new password is refused, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return "must be at least 8 characters";
  if (password.length > 1024) return "must be at most 1024 characters";
  if (/[\0\r\n]/.test(password)) return "must not contain NUL or line breaks";
  return null;
}
