import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app";
import { APP_VERSION } from "./config";
import { API_TAGS, docsPage } from "./docs";

/**
 * Serves `/openapi.json` and the `/docs` reference from an app that has every router mounted.
 * Loaded only when one of the two is asked for.
 */
export function withDocs(app: OpenAPIHono<AppEnv>): OpenAPIHono<AppEnv> {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An access JWT from /v1/auth/login, or an API key (`lb_…`).",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Linkbase API",
      version: APP_VERSION,
      description: "Turn web pages into searchable knowledge. Errors are RFC 9457 problems.",
    },
    servers: [
      {
        url: "/",
        description: "The deployment serving this document (production, staging or local)",
        "x-internal": false,
      },
    ],
    tags: API_TAGS,
  });
  app.get("/docs", docsPage);
  return app;
}
