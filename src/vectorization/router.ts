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
  operationId: "listEmbeddingModels",
  summary: "Embedding providers and models, and the active one",
  description: "The deployment's setting picks the active model; all share one vector size.",
  middleware: [authDependencies.authenticate] as const,
  responses: { 200: json(EmbeddingModels, "Models"), ...problems(401, 503) },
});

const getStatusRoute = createRoute({
  method: "get",
  path: "/{project_id}/vectorization",
  tags,
  security,
  operationId: "getVectorizationStatus",
  summary: "Embedding progress of a project (viewer+)",
  description: "How many of the project's chunks are embedded with the active model.",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam },
  responses: {
    200: json(VectorizationStatus, "Counts"),
    ...problems(401, [404, "PROJECT_NOT_FOUND"], 422, 503),
  },
});

const reembedRoute = createRoute({
  method: "post",
  path: "/{project_id}/vectorization",
  tags,
  security,
  operationId: "reembedProject",
  summary: "Re-embed stale chunks (editor+)",
  description: "Embeds missing or stale chunks with the active model, in the background.",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam },
  responses: {
    202: json(
      VectorizationStatus,
      "Queued, or joined the re-embedding already running; the counts as they were",
    ),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND"], 422, 503),
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
