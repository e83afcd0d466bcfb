import type { CheckRequest } from "../gateway_decision.ts";

/** A signed-in plain-HTTP request on the port door 19001 of 127.0.0.1; `fields` override. */
export function checkRequest(fields: Partial<CheckRequest>): CheckRequest {
  return {
    route: "port",
    serverPort: 19001,
    host: "127.0.0.1:19001",
    uri: "/",
    proto: "http",
    authenticated: true,
    ...fields,
  };
}
