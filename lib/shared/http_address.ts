/**
 * The one check of an http(s) address a user gives AiKore to reach (a webhook, a download).
 * Pure: used by the server's validation and by the pages' forms alike.
 */

/** Why `url` cannot be such an address, or null: absolute http(s), no user name or password. */
export function httpAddressProblem(
  url: string,
  maxLength: number,
  credentialsHint = "",
): string | null {
  if (url.length > maxLength) return `must be at most ${maxLength} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be an absolute http:// or https:// address";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return "must be an http:// or https:// address";
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return `must not carry a user name or password${credentialsHint}`;
  }
  return null;
}
