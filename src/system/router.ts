import { createRoute } from "@hono/zod-openapi";
import { createRouter, json, problems } from "../app";
import * as authDependencies from "../auth/dependencies";
import * as awsService from "../aws/service";
import { APP_VERSION, getConfig } from "../config";
import { getDb } from "../database";
import { PAGE_SIZE_MAX } from "../pagination";
import { SEARCH_TOP_K_MAX } from "../search/constants";
import { MAX_URLS_PER_REQUEST } from "../urls/constants";
import * as vectorizationService from "../vectorization/service";
import { Health, Info, Stats } from "./schemas";
import * as systemService from "./service";

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  operationId: "getHealth",
  tags: ["system"],
  security: [],
  summary: "Liveness of the API and its dependencies",
  description: "Checks the database and storage; 503 names the failing one.",
  responses: {
    200: json(Health, "All dependencies answer"),
    503: json(Health, "Degraded"),
    ...problems(),
  },
});

const infoRoute = createRoute({
  method: "get",
  path: "/info",
  operationId: "getInfo",
  tags: ["system"],
  security: [],
  summary: "Version, embedding model and limits",
  description: "What a client needs to size its requests.",
  responses: { 200: json(Info, "Public facts about this deployment"), ...problems() },
});

const statsRoute = createRoute({
  method: "get",
  path: "/stats",
  operationId: "getStats",
  tags: ["system"],
  summary: "Platform counts (admin)",
  description: "Users, projects, urls by status, chunks and stored bytes.",
  security: [{ bearer: [] }],
  middleware: [authDependencies.requireAdmin] as const,
  responses: {
    200: json(Stats, "Counts"),
    ...problems(401, [403, "ADMIN_REQUIRED"], 503),
  },
});

export const systemRouter = createRouter()
  .openapi(healthRoute, async (c) => {
    const health = await systemService.checkHealth({
      db: getDb(c.env),
      s3: awsService.getS3(c.env),
      version: APP_VERSION,
    });
    return c.json(health, health.status === "ok" ? 200 : 503);
  })
  .openapi(infoRoute, (c) => {
    const config = getConfig(c.env);
    return c.json(
      {
        version: APP_VERSION,
        embedding: vectorizationService.activeModel(config),
        limits: {
          max_body_bytes: config.MAX_BODY_BYTES,
          urls_per_request: MAX_URLS_PER_REQUEST,
          page_size_max: PAGE_SIZE_MAX,
          search_top_k_max: SEARCH_TOP_K_MAX,
          fetch_max_bytes: config.FETCH_MAX_BYTES,
          fetch_timeout_ms: config.FETCH_TIMEOUT_MS,
          access_token_ttl_seconds: config.ACCESS_TOKEN_TTL_SECONDS,
        },
      },
      200,
    );
  })
  .openapi(statsRoute, async (c) =>
    c.json(await systemService.getStats({ db: getDb(c.env) }), 200),
  );
