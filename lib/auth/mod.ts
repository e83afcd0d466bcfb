export { AuthService, sessionActor } from "./auth_service.ts";
export type { AuthServiceDeps, PasswordOutcome, SetupOutcome } from "./auth_service.ts";
export { ANONYMOUS_AUTH_OFF } from "./principal.ts";
export type { Principal, RequestContext } from "./principal.ts";
export {
  hashPassword,
  needsRehash,
  OWASP_SCRYPT,
  parsePasswordHash,
  passwordProblem,
  scryptHasher,
  verifyPassword,
} from "./password_hash.ts";
export type { PasswordHasher, ScryptParams } from "./password_hash.ts";
export { LOGIN_LIMITS, RateLimiter } from "./rate_limiter.ts";
export type { RateDecision, RateLimits } from "./rate_limiter.ts";
export {
  clearedSessionCookie,
  readCookie,
  readCookies,
  SESSION_COOKIE,
  sessionCookie,
} from "./session_cookie.ts";
export { DEFAULT_LIFETIMES } from "./session_store.ts";
export type { IssuedSession, SessionLifetimes } from "./session_store.ts";
export { SETUP_TOKEN_TTL_MS } from "./setup_token.ts";
export { tokenNameProblem } from "./token_store.ts";
export type { ApiTokenInfo, CreatedApiToken } from "./token_store.ts";
export { constantTimeEqual } from "./secret_token.ts";
export { LiveConnections } from "./live_connections.ts";
export { GATEWAY_SECRET_HEADER, gatewaySecret, isGatewaySecret } from "./gateway_secret.ts";
