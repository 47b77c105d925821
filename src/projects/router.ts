import { createRoute } from "@hono/zod-openapi";
import { createRouter, empty, json, jsonBody, problems } from "../app";
import * as authDependencies from "../auth/dependencies";
import { InsufficientScope } from "../auth/exceptions";
import { getConfig } from "../config";
import { getDb } from "../database";
import * as snapshots from "../ingestion/snapshots";
import { quotaLimits } from "../limits/quotas";
import { LIST_422, PaginationQuery, pageSchema } from "../pagination";
import * as webhooksOutbox from "../webhooks/outbox";
import { projectMember } from "./dependencies";
import { Project, ProjectCreate, ProjectIdParam, ProjectListQuery, ProjectUpdate } from "./schemas";
import * as projectsService from "./service";

const tags = ["projects"];
const security = [{ bearer: [] }];

const createProjectRoute = createRoute({
  method: "post",
  path: "/",
  tags,
  security,
  operationId: "createProject",
  summary: "Create a project you own",
  description: "Settings left out take their defaults (chunk_size 1000, no scheduled refresh).",
  middleware: [authDependencies.authenticate] as const,
  request: { body: jsonBody(ProjectCreate) },
  responses: {
    201: json(Project, "Created"),
    ...problems(400, 401, [403, "INSUFFICIENT_SCOPE"], [409, "QUOTA_EXCEEDED"], 413, 415, 422, 503),
  },
});

const listProjectsRoute = createRoute({
  method: "get",
  path: "/",
  tags,
  security,
  operationId: "listProjects",
  summary: "Projects you own or are shared on",
  description: "Newest first; filter by name (`q`) or by your role.",
  middleware: [authDependencies.authenticate] as const,
  request: { query: PaginationQuery.extend(ProjectListQuery.shape) },
  responses: { 200: json(pageSchema(Project), "Projects"), ...problems(401, LIST_422, 503) },
});

const getProjectRoute = createRoute({
  method: "get",
  path: "/{project_id}",
  tags,
  security,
  operationId: "getProject",
  summary: "A project (viewer+)",
  description: "With its settings, owner, your role and counts of urls and chunks.",
  middleware: projectMember,
  request: { params: ProjectIdParam },
  responses: {
    200: json(Project, "The project"),
    ...problems(401, [404, "PROJECT_NOT_FOUND"], 422, 503),
  },
});

const updateProjectRoute = createRoute({
  method: "patch",
  path: "/{project_id}",
  tags,
  security,
  operationId: "updateProject",
  summary: "Rename, describe or change settings (editor+)",
  description: "Changed chunk settings apply to each url at its next fetch or refresh.",
  middleware: projectMember,
  request: { params: ProjectIdParam, body: jsonBody(ProjectUpdate) },
  responses: {
    200: json(Project, "Updated"),
    ...problems(400, 401, 403, [404, "PROJECT_NOT_FOUND"], 413, 415, 422, 503),
  },
});

const deleteProjectRoute = createRoute({
  method: "delete",
  path: "/{project_id}",
  tags,
  security,
  operationId: "deleteProject",
  summary: "Delete a project (owner)",
  description: "Its urls, chunks, shares, links and stored snapshots go too.",
  middleware: projectMember,
  request: { params: ProjectIdParam },
  responses: { 204: empty("Deleted"), ...problems(401, 403, [404, "PROJECT_NOT_FOUND"], 422, 503) },
});

export const projectsRouter = createRouter()
  .openapi(createProjectRoute, async (c) => {
    // The new project would be outside the key's list: the key could not even see it.
    if (c.get("caller").projectIds) {
      throw new InsufficientScope("An API key limited to projects cannot create projects.");
    }
    const project = await projectsService.createProject({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      input: c.req.valid("json"),
      limit: quotaLimits(getConfig(c.env)).projects_per_user,
    });
    return c.json(project, 201);
  })
  .openapi(listProjectsRoute, async (c) => {
    const { q, role, ...pagination } = c.req.valid("query");
    const page = await projectsService.listProjects({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      onlyIds: c.get("caller").projectIds,
      q,
      role,
      pagination,
    });
    return c.json(page, 200);
  })
  .openapi(getProjectRoute, async (c) => {
    const project = await projectsService.getProject({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
    });
    return c.json(project, 200);
  })
  .openapi(updateProjectRoute, async (c) => {
    const project = await projectsService.updateProject({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      input: c.req.valid("json"),
    });
    return c.json(project, 200);
  })
  .openapi(deleteProjectRoute, async (c) => {
    const projectId = c.req.valid("param").project_id;
    const { deletions, deliveries } = await projectsService.deleteProject({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
    });
    await snapshots.sendDeletions(c.env.INGEST_QUEUE, deletions);
    await webhooksOutbox.sendDeliveries(c.env.INGEST_QUEUE, deliveries);
    return c.body(null, 204);
  });
