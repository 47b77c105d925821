import { createRoute } from "@hono/zod-openapi";
import { createRouter, empty, json, jsonBody, problems } from "../app";
import * as awsService from "../aws/service";
import { getConfig } from "../config";
import { getDb } from "../database";
import { enqueueCommitted } from "../ingestion/messages";
import * as snapshots from "../ingestion/snapshots";
import { quotaLimits } from "../limits/quotas";
import { LIST_422, PaginationQuery, pageSchema } from "../pagination";
import * as projectsDependencies from "../projects/dependencies";
import { ProjectIdParam } from "../projects/schemas";
import { fetchSettings } from "./config";
import { SNAPSHOT_URL_TTL_SECONDS } from "./constants";
import { Url, UrlCreate, UrlIdParams, UrlItems, UrlListQuery } from "./schemas";
import * as urlsService from "./service";

const tags = ["urls"];
const security = [{ bearer: [] }];

const addUrlsRoute = createRoute({
  method: "post",
  path: "/{project_id}/urls",
  tags,
  security,
  operationId: "addUrls",
  summary: "Add one url or up to 100 (editor+)",
  description:
    "New urls are queued for ingestion: poll until `ready` or `failed`. Known ones return as they are.",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam, body: jsonBody(UrlCreate) },
  responses: {
    202: json(UrlItems, "Accepted: new urls are queued for ingestion"),
    ...problems(
      400,
      401,
      403,
      [404, "PROJECT_NOT_FOUND"],
      [409, "QUOTA_EXCEEDED"],
      413,
      415,
      [422, "VALIDATION_FAILED", "URL_INVALID", "URL_NOT_ALLOWED"],
      503,
    ),
  },
});

const listUrlsRoute = createRoute({
  method: "get",
  path: "/{project_id}/urls",
  tags,
  security,
  operationId: "listUrls",
  summary: "A project's urls (viewer+)",
  description: "Newest first; filter by status.",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam, query: PaginationQuery.extend(UrlListQuery.shape) },
  responses: {
    200: json(pageSchema(Url), "Urls"),
    ...problems(401, [404, "PROJECT_NOT_FOUND"], LIST_422, 503),
  },
});

const getUrlRoute = createRoute({
  method: "get",
  path: "/{project_id}/urls/{url_id}",
  tags,
  security,
  operationId: "getUrl",
  summary: "One url (viewer+)",
  description: "Its ingestion status, with the failure's code and message when it failed.",
  middleware: projectsDependencies.projectMember,
  request: { params: UrlIdParams },
  responses: {
    200: json(Url, "The url"),
    ...problems(401, [404, "PROJECT_NOT_FOUND", "URL_NOT_FOUND"], 422, 503),
  },
});

const refreshUrlRoute = createRoute({
  method: "post",
  path: "/{project_id}/urls/{url_id}/refresh",
  tags,
  security,
  operationId: "refreshUrl",
  summary: "Fetch and index the url again (editor+)",
  description: "Joins a fetch already queued or running; chunks stay searchable meanwhile.",
  middleware: projectsDependencies.projectMember,
  request: { params: UrlIdParams },
  responses: {
    202: json(Url, "Queued again, or already queued or being fetched"),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND", "URL_NOT_FOUND"], 422, 503),
  },
});

const deleteUrlRoute = createRoute({
  method: "delete",
  path: "/{project_id}/urls/{url_id}",
  tags,
  security,
  operationId: "deleteUrl",
  summary: "Delete a url (editor+)",
  description: "Its chunks and stored snapshots go too.",
  middleware: projectsDependencies.projectMember,
  request: { params: UrlIdParams },
  responses: {
    204: empty("Deleted"),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND", "URL_NOT_FOUND"], 422, 503),
  },
});

const snapshotRoute = createRoute({
  method: "get",
  path: "/{project_id}/urls/{url_id}/snapshot",
  tags,
  security,
  operationId: "getUrlSnapshot",
  summary: "The stored raw page (viewer+)",
  description: "Redirects to a short-lived presigned link.",
  middleware: projectsDependencies.projectMember,
  request: { params: UrlIdParams },
  responses: {
    302: empty("Redirect to the snapshot", {
      Location: {
        description: "A presigned URL of the snapshot, valid for minutes",
        schema: { type: "string", format: "uri", maxLength: 8192 },
      },
    }),
    ...problems(401, [404, "PROJECT_NOT_FOUND", "URL_NOT_FOUND", "SNAPSHOT_NOT_FOUND"], 422, 503),
  },
});

export const urlsRouter = createRouter()
  .openapi(addUrlsRoute, async (c) => {
    const body = c.req.valid("json");
    const single = "url" in body;
    const config = getConfig(c.env);
    const urls = urlsService.screenUrls(
      single ? [body.url] : body.urls,
      fetchSettings(config).allowHosts,
      (index) => (single ? "body.url" : `body.urls.${index}`),
    );
    const { items, createdIds } = await urlsService.addUrls({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      urls,
      limit: quotaLimits(config).urls_per_project,
    });
    await enqueueCommitted(c.env.INGEST_QUEUE, createdIds);
    return c.json({ items }, 202);
  })
  .openapi(listUrlsRoute, async (c) => {
    const { status, ...pagination } = c.req.valid("query");
    const page = await urlsService.listUrls({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      status,
      pagination,
    });
    return c.json(page, 200);
  })
  .openapi(getUrlRoute, async (c) => {
    const { project_id: projectId, url_id: urlId } = c.req.valid("param");
    const url = await urlsService.getUrl({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      urlId,
    });
    return c.json(url, 200);
  })
  .openapi(refreshUrlRoute, async (c) => {
    const { project_id: projectId, url_id: urlId } = c.req.valid("param");
    const { url, requeued } = await urlsService.refreshUrl({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      urlId,
    });
    if (requeued) await enqueueCommitted(c.env.INGEST_QUEUE, [url.id]);
    return c.json(url, 202);
  })
  .openapi(deleteUrlRoute, async (c) => {
    const { project_id: projectId, url_id: urlId } = c.req.valid("param");
    const deletions = await urlsService.deleteUrl({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      urlId,
    });
    await snapshots.sendDeletions(c.env.INGEST_QUEUE, deletions);
    return c.body(null, 204);
  })
  .openapi(snapshotRoute, async (c) => {
    const { project_id: projectId, url_id: urlId } = c.req.valid("param");
    const key = await urlsService.snapshotKeyOf({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      urlId,
    });
    const location = await awsService.getS3(c.env).presignGet(key, SNAPSHOT_URL_TTL_SECONDS);
    return c.redirect(location, 302);
  });
