import { createRoute } from "@hono/zod-openapi";
import { createRouter, json, problems } from "../app";
import * as authDependencies from "../auth/dependencies";
import { getConfig } from "../config";
import { getDb } from "../database";
import * as projectsDependencies from "../projects/dependencies";
import { ProjectIdParam } from "../projects/schemas";
import { EMBEDDING_DIMENSIONS, EMBEDDING_MODELS } from "./embedders";
import { EmbeddingModels, VectorizationStatus } from "./schemas";
import * as vectorizationService from "./service";

const tags = ["vectorization"];
const security = [{ bearer: [] }];

const listModelsRoute = createRoute({
  method: "get",
  path: "/models",
  tags,
  security,
  summary: "Embedding providers and models, and the active one",
  middleware: [authDependencies.authenticate] as const,
  responses: { 200: json(EmbeddingModels, "Models"), ...problems(401) },
});

const getStatusRoute = createRoute({
  method: "get",
  path: "/{project_id}/vectorization",
  tags,
  security,
  summary: "How many of the project's chunks are embedded with the active model (viewer+)",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam },
  responses: { 200: json(VectorizationStatus, "Counts"), ...problems(401, 404, 422) },
});

const reembedRoute = createRoute({
  method: "post",
  path: "/{project_id}/vectorization",
  tags,
  security,
  summary: "Re-embed the chunks missing or stale for the active model, in the background (editor+)",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam },
  responses: {
    202: json(
      VectorizationStatus,
      "Queued, or joined the re-embedding already running; the counts as they were",
    ),
    ...problems(401, 403, 404, 422),
  },
});

/** Mounted at `/v1/vectorization`. */
export const vectorizationRouter = createRouter().openapi(listModelsRoute, (c) => {
  const active = vectorizationService.activeModel(getConfig(c.env));
  const models = EMBEDDING_MODELS.map((m) => ({
    ...m,
    active: m.provider === active.provider && m.model === active.model,
  }));
  return c.json({ active, dimensions: EMBEDDING_DIMENSIONS, models }, 200);
});

/** Mounted at `/v1/projects`: a project's embedding status and re-embedding. */
export const projectVectorizationRouter = createRouter()
  .openapi(getStatusRoute, async (c) => {
    const status = await vectorizationService.vectorizationStatus({
      db: getDb(c.env),
      config: getConfig(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
    });
    return c.json(status, 200);
  })
  .openapi(reembedRoute, async (c) => {
    const status = await vectorizationService.startReembed({
      db: getDb(c.env),
      config: getConfig(c.env),
      queue: c.env.INGEST_QUEUE,
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
    });
    return c.json(status, 202);
  });
