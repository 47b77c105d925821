import { createRoute } from "@hono/zod-openapi";
import { createRouter, json, jsonBody, problems } from "../app";
import * as authDependencies from "../auth/dependencies";
import { getConfig } from "../config";
import { getDb } from "../database";
import * as projectsDependencies from "../projects/dependencies";
import { ProjectIdParam } from "../projects/schemas";
import { TokenParam } from "../shares/schemas";
import { SearchRequest, SearchResponse } from "./schemas";
import * as searchService from "./service";

const searchProjectRoute = createRoute({
  method: "post",
  path: "/{project_id}/search",
  tags: ["search"],
  security: [{ bearer: [] }],
  operationId: "searchProject",
  summary: "Search a project's chunks (viewer+)",
  description: "Keyword (BM25), semantic or hybrid (rank fusion of both); best chunks first.",
  middleware: projectsDependencies.projectReader,
  request: { params: ProjectIdParam, body: jsonBody(SearchRequest) },
  responses: {
    200: json(SearchResponse, "Best chunks first"),
    ...problems(400, 401, [404, "PROJECT_NOT_FOUND"], 413, 415, 422, 503),
  },
});

const searchSharedRoute = createRoute({
  method: "post",
  path: "/{token}/search",
  operationId: "searchSharedProject",
  tags: ["shared"],
  security: [],
  summary: "Search the project a public link opens",
  description:
    "Same request and answer as project search. No authentication: the token in the path is " +
    "the credential; throttled per client IP.",
  request: { params: TokenParam, body: jsonBody(SearchRequest) },
  responses: {
    200: json(SearchResponse, "Best chunks first"),
    ...problems(400, [404, "SHARED_LINK_NOT_FOUND"], 413, 415, 422, 429, 503),
  },
});

/** Mounted at `/v1/projects`: search over a project the caller has a role on. */
export const projectSearchRouter = createRouter().openapi(searchProjectRoute, async (c) => {
  const response = await searchService.searchProject({
    db: getDb(c.env),
    env: c.env,
    config: getConfig(c.env),
    userId: c.get("caller").userId,
    projectId: c.req.valid("param").project_id,
    input: c.req.valid("json"),
  });
  return c.json(response, 200);
});

/** Mounted at `/v1/shared`: search over the project a public link opens, without credentials. */
export const sharedSearchRouter = createRouter().openapi(searchSharedRoute, async (c) => {
  // Throttled before the query is embedded: the token is only checked by the search statement.
  await authDependencies.enforceRateLimit(c.env.PUBLIC_RATE_LIMITER, [
    `ip:${authDependencies.clientIp(c)}`,
  ]);
  // The token is resolved inside the search statement: one round trip, 404 when not live.
  const response = await searchService.searchShared({
    db: getDb(c.env),
    env: c.env,
    config: getConfig(c.env),
    token: c.req.valid("param").token,
    input: c.req.valid("json"),
  });
  return c.json(response, 200);
});
