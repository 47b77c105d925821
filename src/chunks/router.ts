import { createRoute } from "@hono/zod-openapi";
import { createRouter, json, problems } from "../app";
import { getDb } from "../database";
import { LIST_422, PaginationQuery, pageSchema } from "../pagination";
import * as projectsDependencies from "../projects/dependencies";
import { Chunk, ChunkParams, ChunkWithUrl, UrlChunksParams } from "./schemas";
import * as chunksService from "./service";

const security = [{ bearer: [] }];

const listUrlChunksRoute = createRoute({
  method: "get",
  path: "/{project_id}/urls/{url_id}/chunks",
  tags: ["chunks"],
  security,
  operationId: "listUrlChunks",
  summary: "A url's chunks in document order (viewer+)",
  description: "The passages search ranks, each with its heading path.",
  middleware: projectsDependencies.projectMember,
  request: { params: UrlChunksParams, query: PaginationQuery },
  responses: {
    200: json(pageSchema(Chunk), "Chunks"),
    ...problems(401, [404, "PROJECT_NOT_FOUND", "URL_NOT_FOUND"], LIST_422, 503),
  },
});

const getChunkRoute = createRoute({
  method: "get",
  path: "/{project_id}/chunks/{chunk_id}",
  tags: ["chunks"],
  security,
  operationId: "getChunk",
  summary: "A chunk with its url (viewer+)",
  description: "For following a search result back to its page.",
  middleware: projectsDependencies.projectMember,
  request: { params: ChunkParams },
  responses: {
    200: json(ChunkWithUrl, "The chunk"),
    ...problems(401, [404, "PROJECT_NOT_FOUND", "CHUNK_NOT_FOUND"], 422, 503),
  },
});

/** Mounted at `/v1/projects`: chunks of a project. */
export const chunksRouter = createRouter()
  .openapi(listUrlChunksRoute, async (c) => {
    const { project_id: projectId, url_id: urlId } = c.req.valid("param");
    const page = await chunksService.listUrlChunks({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      urlId,
      pagination: c.req.valid("query"),
    });
    return c.json(page, 200);
  })
  .openapi(getChunkRoute, async (c) => {
    const { project_id: projectId, chunk_id: chunkId } = c.req.valid("param");
    const chunk = await chunksService.getChunk({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      chunkId,
    });
    return c.json(chunk, 200);
  });
