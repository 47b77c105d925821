import { createRoute } from "@hono/zod-openapi";
import { createRouter, empty, json, jsonBody, problems } from "../app";
import { getConfig } from "../config";
import { getDb } from "../database";
import * as discovery from "../ingestion/discovery";
import { sendAfterCommit } from "../ingestion/messages";
import * as snapshots from "../ingestion/snapshots";
import { LIST_422, PaginationQuery, pageSchema } from "../pagination";
import * as projectsDependencies from "../projects/dependencies";
import { ProjectIdParam } from "../projects/schemas";
import { fetchSettings } from "../urls/config";
import * as urlsService from "../urls/service";
import { maxPagesFor } from "./config";
import { Source, SourceCreate, SourceDeleteQuery, SourceIdParams } from "./schemas";
import * as sourcesService from "./service";

const tags = ["sources"];

// A sync committed as discovering whose first message is lost is sent again by the cron
// (`claimStalledSteps`) after INGEST_STUCK_AFTER_SECONDS: a queue outage delays it.
const STALLED_STEPS = "the cron's stalled sync steps";
const security = [{ bearer: [] }];

const createSourceRoute = createRoute({
  method: "post",
  path: "/{project_id}/sources",
  tags,
  security,
  operationId: "createSource",
  summary: "Add a whole site: a sitemap or a crawl (editor+)",
  description:
    "Discovery starts at once: poll the source until `ready`. Urls it finds are added to the project and indexed; robots.txt is obeyed.",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam, body: jsonBody(SourceCreate) },
  responses: {
    202: json(Source, "Accepted: discovery is queued"),
    ...problems(
      400,
      401,
      403,
      [404, "PROJECT_NOT_FOUND"],
      413,
      415,
      [422, "VALIDATION_FAILED", "URL_INVALID", "URL_NOT_ALLOWED"],
      503,
    ),
  },
});

const listSourcesRoute = createRoute({
  method: "get",
  path: "/{project_id}/sources",
  tags,
  security,
  operationId: "listSources",
  summary: "A project's sources (viewer+)",
  description: "Newest first, each with its status and counts.",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam, query: PaginationQuery },
  responses: {
    200: json(pageSchema(Source), "Sources"),
    ...problems(401, [404, "PROJECT_NOT_FOUND"], LIST_422, 503),
  },
});

const getSourceRoute = createRoute({
  method: "get",
  path: "/{project_id}/sources/{source_id}",
  tags,
  security,
  operationId: "getSource",
  summary: "One source (viewer+)",
  description: "Its sync status, counts and last error.",
  middleware: projectsDependencies.projectMember,
  request: { params: SourceIdParams },
  responses: {
    200: json(Source, "The source"),
    ...problems(401, [404, "PROJECT_NOT_FOUND", "SOURCE_NOT_FOUND"], 422, 503),
  },
});

const syncSourceRoute = createRoute({
  method: "post",
  path: "/{project_id}/sources/{source_id}/sync",
  tags,
  security,
  operationId: "syncSource",
  summary: "Discover the site again now (editor+)",
  description:
    "Re-reads robots.txt and the sitemaps (or re-crawls); only pages that changed are fetched again. A sync already running goes on.",
  middleware: projectsDependencies.projectMember,
  request: { params: SourceIdParams },
  responses: {
    202: json(Source, "A sync is queued or running"),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND", "SOURCE_NOT_FOUND"], 422, 503),
  },
});

const deleteSourceRoute = createRoute({
  method: "delete",
  path: "/{project_id}/sources/{source_id}",
  tags,
  security,
  operationId: "deleteSource",
  summary: "Delete a source (editor+)",
  description:
    "`?delete_urls=true` deletes the urls it added too; by default they stay as urls of the project.",
  middleware: projectsDependencies.projectMember,
  request: { params: SourceIdParams, query: SourceDeleteQuery },
  responses: {
    204: empty("Deleted"),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND", "SOURCE_NOT_FOUND"], 422, 503),
  },
});

export const sourcesRouter = createRouter()
  .openapi(createSourceRoute, async (c) => {
    const input = c.req.valid("json");
    const config = getConfig(c.env);
    const [screened] = urlsService.screenUrls(
      [input.url],
      fetchSettings(config).allowHosts,
      () => "body.url",
    );
    const source = await sourcesService.createSource({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      input,
      url: screened?.normalized ?? input.url,
      maxPages: maxPagesFor(config, input.max_pages),
    });
    await sendAfterCommit(STALLED_STEPS, () =>
      discovery.sendSyncs(c.env.INGEST_QUEUE, {
        started: [{ id: source.id, sync: source.sync }],
        url_ids: [],
      }),
    );
    return c.json(source, 202);
  })
  .openapi(listSourcesRoute, async (c) => {
    const page = await sourcesService.listSources({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      pagination: c.req.valid("query"),
    });
    return c.json(page, 200);
  })
  .openapi(getSourceRoute, async (c) => {
    const { project_id: projectId, source_id: sourceId } = c.req.valid("param");
    const source = await sourcesService.getSource({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      sourceId,
    });
    return c.json(source, 200);
  })
  .openapi(syncSourceRoute, async (c) => {
    const { project_id: projectId, source_id: sourceId } = c.req.valid("param");
    const { source, syncs } = await sourcesService.syncSource({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      sourceId,
    });
    await sendAfterCommit(STALLED_STEPS, () => discovery.sendSyncs(c.env.INGEST_QUEUE, syncs));
    return c.json(source, 202);
  })
  .openapi(deleteSourceRoute, async (c) => {
    const { project_id: projectId, source_id: sourceId } = c.req.valid("param");
    const deletions = await sourcesService.deleteSource({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      sourceId,
      deleteUrls: c.req.valid("query").delete_urls === "true",
    });
    await snapshots.sendDeletions(c.env.INGEST_QUEUE, deletions);
    return c.body(null, 204);
  });
