import type { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { type AppEnv, createRouter } from "./app";
import { cacheControl } from "./cache-control";
import { getConfig } from "./config";
import { databaseTiming } from "./database";
import {
  handleError,
  MalformedJson,
  PayloadTooLarge,
  problemResponse,
  RouteNotFound,
  UnsupportedMediaType,
} from "./exceptions";
import { cursorSigning } from "./pagination";

// The API's shared part: middleware, errors, and one app per set of routers. `main.ts` loads it
// at the first HTTP request, so the queue consumer and the cron never evaluate it.

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** Bodies must be JSON: 415 for another type, 400 when it does not parse. */
const jsonBodies = createMiddleware<AppEnv>(async (c, next) => {
  const hasBody =
    c.req.header("transfer-encoding") !== undefined ||
    Number(c.req.header("content-length") ?? 0) > 0;
  if (hasBody && !["GET", "HEAD"].includes(c.req.method)) {
    if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) throw new UnsupportedMediaType();
    try {
      // Parsed once here; validators reuse Hono's cached body.
      await c.req.json();
    } catch (error) {
      if (error instanceof PayloadTooLarge) throw error;
      throw new MalformedJson();
    }
  }
  await next();
});

const limitBodies = createMiddleware<AppEnv>(async (c, next) => {
  const maxSize = getConfig(c.env).MAX_BODY_BYTES;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new PayloadTooLarge(maxSize);
    },
  })(c, next);
});

const corsFromConfig = createMiddleware<AppEnv>(async (c, next) => {
  const origins = getConfig(c.env).CORS_ORIGINS;
  return cors({
    origin: (origin) => (origins.includes("*") || origins.includes(origin) ? origin : null),
    allowHeaders: ["Authorization", "Content-Type", "X-Request-Id"],
    exposeHeaders: ["X-Request-Id", "Retry-After", "Server-Timing"],
    maxAge: 600,
  })(c, next);
});

/** Routers mounted at one path prefix, in mount order. */
export type Mount = readonly [prefix: string, routers: readonly OpenAPIHono<AppEnv>[]];

/**
 * The API with the given routers mounted: every app gets the same middleware, error handling
 * and 404, so a request answers the same whichever set of routers served it.
 */
export function createApi(mounts: readonly Mount[]): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(secureHeaders());
  app.use(
    "/v1/*",
    cacheControl,
    corsFromConfig,
    databaseTiming,
    cursorSigning,
    limitBodies,
    jsonBodies,
  );
  app.onError(handleError);
  app.notFound((c) => problemResponse(c, new RouteNotFound(c.req.path)));
  for (const [prefix, routers] of mounts) {
    for (const router of routers) app.route(prefix, router);
  }
  return app;
}
