import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { type AppEnv, createRouter } from "./app";
import { authRouter } from "./auth/router";
import { cacheControl } from "./cache-control";
import { chunksRouter } from "./chunks/router";
import { APP_VERSION, type Env, getConfig } from "./config";
import { databaseTiming } from "./database";
import { API_TAGS, docsPage } from "./docs";
import {
  handleError,
  MalformedJson,
  PayloadTooLarge,
  problemResponse,
  RouteNotFound,
  UnsupportedMediaType,
} from "./exceptions";
import { consumeQueue } from "./ingestion/consumer";
import { refreshDueUrls } from "./ingestion/scheduler";
import { cursorSigning } from "./pagination";
import { projectsRouter } from "./projects/router";
import { projectSearchRouter, sharedSearchRouter } from "./search/router";
import { sharedRouter, sharesRouter } from "./shares/router";
import { systemRouter } from "./system/router";
import { urlsRouter } from "./urls/router";
import { usersRouter } from "./users/router";
import { projectVectorizationRouter, vectorizationRouter } from "./vectorization/router";

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

const routes = app
  .route("/v1/system", systemRouter)
  .route("/v1/auth", authRouter)
  .route("/v1/users", usersRouter)
  .route("/v1/projects", projectsRouter)
  .route("/v1/projects", sharesRouter)
  .route("/v1/projects", urlsRouter)
  .route("/v1/projects", chunksRouter)
  .route("/v1/projects", projectSearchRouter)
  .route("/v1/projects", projectVectorizationRouter)
  .route("/v1/vectorization", vectorizationRouter)
  .route("/v1/shared", sharedRouter)
  .route("/v1/shared", sharedSearchRouter);

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

/** The app's type, for `hono/client`: `hc<AppType>("https://api.example")`. */
export type AppType = typeof routes;

export default {
  fetch: app.fetch,
  queue: consumeQueue,
  scheduled: refreshDueUrls,
} satisfies ExportedHandler<Env>;
