import { createRoute } from "@hono/zod-openapi";
import { createRouter, json, jsonBody, problems } from "../app";
import { getConfig } from "../config";
import { getDb } from "../database";
import { quotaLimits } from "../limits/quotas";
import { PaginationQuery, pageSchema } from "../pagination";
import * as projectsDependencies from "../projects/dependencies";
import { ProjectIdParam } from "../projects/schemas";
import {
  Link,
  LinkCreate,
  LinkCreated,
  LinkParams,
  Share,
  ShareCreate,
  SharedProject,
  ShareParams,
  ShareUpdate,
  TokenParam,
} from "./schemas";
import * as sharesService from "./service";

const security = [{ bearer: [] }];
const shares = { tags: ["shares"], security, middleware: projectsDependencies.projectMember };
const links = { tags: ["links"], security, middleware: projectsDependencies.projectMember };

const createShareRoute = createRoute({
  ...shares,
  method: "post",
  path: "/{project_id}/shares",
  summary: "Share the project with a user by email (owner)",
  request: { params: ProjectIdParam, body: jsonBody(ShareCreate) },
  responses: {
    201: json(Share, "Shared"),
    ...problems(400, 401, 403, 404, 409, 415, 422),
  },
});

const listSharesRoute = createRoute({
  ...shares,
  method: "get",
  path: "/{project_id}/shares",
  summary: "Who the project is shared with (viewer+)",
  request: { params: ProjectIdParam, query: PaginationQuery },
  responses: { 200: json(pageSchema(Share), "Shares"), ...problems(401, 404, 422) },
});

const updateShareRoute = createRoute({
  ...shares,
  method: "patch",
  path: "/{project_id}/shares/{share_id}",
  summary: "Change a share's role (owner)",
  request: { params: ShareParams, body: jsonBody(ShareUpdate) },
  responses: { 200: json(Share, "Updated"), ...problems(400, 401, 403, 404, 415, 422) },
});

const deleteShareRoute = createRoute({
  ...shares,
  method: "delete",
  path: "/{project_id}/shares/{share_id}",
  summary: "Remove a share (owner), or leave the project (the shared user)",
  request: { params: ShareParams },
  responses: { 204: { description: "Removed" }, ...problems(401, 403, 404, 422) },
});

const createLinkRoute = createRoute({
  ...links,
  method: "post",
  path: "/{project_id}/links",
  summary: "Create a read-only public link (owner); the token is shown once",
  request: { params: ProjectIdParam, body: jsonBody(LinkCreate) },
  responses: {
    201: json(LinkCreated, "Created"),
    ...problems(400, 401, 403, 404, 409, 415, 422),
  },
});

const listLinksRoute = createRoute({
  ...links,
  method: "get",
  path: "/{project_id}/links",
  summary: "The project's public links, tokens as prefixes only (owner)",
  request: { params: ProjectIdParam, query: PaginationQuery },
  responses: { 200: json(pageSchema(Link), "Links"), ...problems(401, 403, 404, 422) },
});

const deleteLinkRoute = createRoute({
  ...links,
  method: "delete",
  path: "/{project_id}/links/{link_id}",
  summary: "Revoke a public link (owner)",
  request: { params: LinkParams },
  responses: { 204: { description: "Revoked" }, ...problems(401, 403, 404, 422) },
});

/** Mounted at `/v1/projects`: shares and public links of a project. */
export const sharesRouter = createRouter()
  .openapi(createShareRoute, async (c) => {
    const { email, role } = c.req.valid("json");
    const share = await sharesService.createShare({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      email,
      role,
    });
    return c.json(share, 201);
  })
  .openapi(listSharesRoute, async (c) => {
    const page = await sharesService.listShares({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      pagination: c.req.valid("query"),
    });
    return c.json(page, 200);
  })
  .openapi(updateShareRoute, async (c) => {
    const { project_id: projectId, share_id: shareId } = c.req.valid("param");
    const share = await sharesService.updateShare({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      shareId,
      role: c.req.valid("json").role,
    });
    return c.json(share, 200);
  })
  .openapi(deleteShareRoute, async (c) => {
    const { project_id: projectId, share_id: shareId } = c.req.valid("param");
    await sharesService.deleteShare({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      shareId,
    });
    return c.body(null, 204);
  })
  .openapi(createLinkRoute, async (c) => {
    const link = await sharesService.createLink({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      expiresAt: c.req.valid("json").expires_at,
      limit: quotaLimits(getConfig(c.env)).links_per_project,
    });
    return c.json(link, 201);
  })
  .openapi(listLinksRoute, async (c) => {
    const page = await sharesService.listLinks({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      pagination: c.req.valid("query"),
    });
    return c.json(page, 200);
  })
  .openapi(deleteLinkRoute, async (c) => {
    const { project_id: projectId, link_id: linkId } = c.req.valid("param");
    await sharesService.deleteLink({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId,
      linkId,
    });
    return c.body(null, 204);
  });

const getSharedRoute = createRoute({
  method: "get",
  path: "/{token}",
  tags: ["shared"],
  summary: "The read-only project a public link opens (no authentication)",
  request: { params: TokenParam },
  responses: { 200: json(SharedProject, "The project"), ...problems(404, 422) },
});

/** Mounted at `/v1/shared`: what a public link opens, without credentials. */
export const sharedRouter = createRouter().openapi(getSharedRoute, async (c) => {
  const project = await sharesService.getSharedProject({
    db: getDb(c.env),
    token: c.req.valid("param").token,
  });
  return c.json(project, 200);
});
