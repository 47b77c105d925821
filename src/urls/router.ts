import { createRoute } from "@hono/zod-openapi";
import { createRouter, json, jsonBody, problems } from "../app";
import * as awsService from "../aws/service";
import { getConfig } from "../config";
import { getDb } from "../database";
import { enqueueIngest } from "../ingestion/messages";
import * as snapshots from "../ingestion/snapshots";
import { PaginationQuery, pageSchema } from "../pagination";
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
  summary: "Add one url or up to 100 (editor+); urls already in the project come back as they are",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam, body: jsonBody(UrlCreate) },
  responses: {
    202: json(UrlItems, "Accepted: new urls are queued for ingestion"),
    ...problems(400, 401, 403, 404, 413, 415, 422),
  },
});

const listUrlsRoute = createRoute({
  method: "get",
  path: "/{project_id}/urls",
  tags,
  security,
  summary: "A project's urls, newest first (viewer+)",
  middleware: projectsDependencies.projectMember,
  request: { params: ProjectIdParam, query: PaginationQuery.extend(UrlListQuery.shape) },
  responses: { 200: json(pageSchema(Url), "Urls"), ...problems(401, 404, 422) },
});

const getUrlRoute = createRoute({
  method: "get",
  path: "/{project_id}/urls/{url_id}",
  tags,
  security,
  summary: "One url (viewer+)",
  middleware: projectsDependencies.projectMember,
  request: { params: UrlIdParams },
  responses: { 200: json(Url, "The url"), ...problems(401, 404, 422) },
});

const refreshUrlRoute = createRoute({
  method: "post",
  path: "/{project_id}/urls/{url_id}/refresh",
  tags,
  security,
  summary: "Fetch and index the url again (editor+); joins a fetch already queued or running",
  middleware: projectsDependencies.projectMember,
  request: { params: UrlIdParams },
  responses: {
    202: json(Url, "Queued again, or already queued or being fetched"),
    ...problems(401, 403, 404, 422),
  },
});

const deleteUrlRoute = createRoute({
  method: "delete",
  path: "/{project_id}/urls/{url_id}",
  tags,
  security,
  summary: "Delete a url with its chunks and snapshots (editor+)",
  middleware: projectsDependencies.projectMember,
  request: { params: UrlIdParams },
  responses: { 204: { description: "Deleted" }, ...problems(401, 403, 404, 422) },
});

const snapshotRoute = createRoute({
  method: "get",
  path: "/{project_id}/urls/{url_id}/snapshot",
  tags,
  security,
  summary: "Redirect to a short-lived link to the stored raw page (viewer+)",
  middleware: projectsDependencies.projectMember,
  request: { params: UrlIdParams },
  responses: {
    302: { description: "Location: a presigned URL of the snapshot" },
    ...problems(401, 404, 422),
  },
});

export const urlsRouter = createRouter()
  .openapi(addUrlsRoute, async (c) => {
    const body = c.req.valid("json");
    const single = "url" in body;
    const urls = urlsService.screenUrls(
      single ? [body.url] : body.urls,
      fetchSettings(getConfig(c.env)).allowHosts,
      (index) => (single ? "body.url" : `body.urls.${index}`),
    );
    const { items, createdIds } = await urlsService.addUrls({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      urls,
    });
    await enqueueIngest(c.env.INGEST_QUEUE, createdIds);
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
    if (requeued) await enqueueIngest(c.env.INGEST_QUEUE, [url.id]);
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
