export {
  CHECK_HEADERS,
  GATEWAY_CHECK_PATH,
  GATEWAY_INTERNAL_PREFIX,
  type GatewayModel,
  LOGIN_CLAIM_PATH,
  type RenderSettings,
} from "./gateway_model.ts";
export { renderNginxConfig } from "./render_nginx_config.ts";
export { type NginxPaths, nginxPaths } from "./nginx_paths.ts";
export { gatewayModelProblems, InvalidGatewayModelError } from "./validate_gateway_model.ts";
export {
  type ApplyResult,
  type GatewayStatus,
  NginxGateway,
  type NginxGatewayOptions,
} from "./nginx_gateway.ts";
export { findNginx, nginxBuildProblem } from "./find_nginx.ts";
export { instancePathPrefix } from "./render_routes.ts";
