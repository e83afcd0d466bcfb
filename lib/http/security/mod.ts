export { hostAllowed, hostAllowList, LOOPBACK_HOSTS, parseHostHeader } from "./host_allow_list.ts";
export type { HostAllowListOptions } from "./host_allow_list.ts";
export { DASHBOARD_CSP, securityHeaders } from "./security_headers.ts";
export {
  defaultPublicPaths,
  isUpgradeRequest,
  loginRedirect,
  requireAuth,
} from "./require_auth.ts";
export { CSRF_HEADER, csrfGuard } from "./csrf_guard.ts";
export type { CsrfGuardOptions } from "./csrf_guard.ts";
export { wsUpgradeGuard } from "./ws_upgrade_guard.ts";
export type { WsUpgradeGuardOptions } from "./ws_upgrade_guard.ts";
export {
  clientAddress,
  isLoopbackAddress,
  peerAddress,
  peerIsTrustedGateway,
  requestIsHttps,
} from "./client_address.ts";
export { canonicalOrigin, exactOrigin, originAllowed, sameOriginAsHost } from "./origin.ts";
export { API_BODY_LIMIT, FORM_BODY_LIMIT, requestBodyLimit } from "./body_limit.ts";
export { requestContext } from "./request_context.ts";
export { securityMiddleware, upgradeCheck } from "./security_middleware.ts";
export type { SecurityOptions } from "./security_middleware.ts";
