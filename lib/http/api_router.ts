import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "./app_env.ts";

type Method = "get" | "post" | "put" | "delete";

/** Documentation of one API route; the OpenAPI document is generated from these. */
export interface RouteDoc {
  method: Method;
  /** Hono path, e.g. `/api/instances/:id`. */
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: Record<string, string>;
  /** Status codes and what they mean, besides the default 200. */
  responses?: Record<number, string>;
  websocket?: boolean;
}

type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;

/** Registers routes on a Hono app and remembers their documentation. */
export class ApiRouter {
  readonly docs: RouteDoc[] = [];
  constructor(readonly app: Hono<AppEnv>) {}

  route(doc: RouteDoc, handler: Handler): this {
    this.docs.push(doc);
    this.app.on(doc.method.toUpperCase(), doc.path, handler);
    return this;
  }
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, "{$1}");
}

function jsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: "any", io: "input" });
  } catch {
    // A schema zod cannot express in JSON Schema is documented as a plain object.
    return { type: "object" };
  }
}

/** Builds the OpenAPI 3.1 document for `docs`. */
export function openApiDocument(
  docs: readonly RouteDoc[],
  version: string,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const path = openApiPath(doc.path);
    const params = [...doc.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const query = Object.entries(doc.query ?? {}).map(([name, description]) => ({
      name,
      in: "query",
      required: false,
      description,
      schema: { type: "string" },
    }));
    const responses: Record<string, unknown> = {
      [doc.websocket ? "101" : "200"]: {
        description: doc.websocket ? "Switching protocols" : "OK",
      },
      "401": { description: "Not logged in" },
    };
    for (const [code, description] of Object.entries(doc.responses ?? {})) {
      responses[code] = { description };
    }
    paths[path] ??= {};
    paths[path][doc.method] = {
      summary: doc.summary,
      tags: [doc.tag],
      parameters: [...params, ...query],
      ...(doc.body
        ? { requestBody: { content: { "application/json": { schema: jsonSchema(doc.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "AiKore API", version },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "aikore_session" },
        bearer: { type: "http", scheme: "bearer" },
      },
    },
    security: [{ session: [] }, { bearer: [] }],
    paths,
  };
}
