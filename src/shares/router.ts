import { createRoute } from "@hono/zod-openapi";
import { createRouter, empty, json, jsonBody, problems } from "../app";
import { getDb } from "../database";
import { LIST_422, PaginationQuery, pageSchema } from "../pagination";
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
  operationId: "createShare",
  summary: "Share the project with a user by email (owner)",
  description: "Viewers read and search; editors also manage urls and edit the project.",
  request: { params: ProjectIdParam, body: jsonBody(ShareCreate) },
  responses: {
    201: json(Share, "Shared"),
    ...problems(
      400,
      401,
      403,
      [404, "PROJECT_NOT_FOUND", "USER_NOT_FOUND"],
      [409, "SHARE_EXISTS", "SHARE_WITH_OWNER"],
      413,
      415,
      422,
      503,
    ),
  },
});

const listSharesRoute = createRoute({
  ...shares,
  method: "get",
  path: "/{project_id}/shares",
  operationId: "listShares",
  summary: "Who the project is shared with (viewer+)",
  description: "Newest first.",
  request: { params: ProjectIdParam, query: PaginationQuery },
  responses: {
    200: json(pageSchema(Share), "Shares"),
    ...problems(401, [404, "PROJECT_NOT_FOUND"], LIST_422, 503),
  },
});

const updateShareRoute = createRoute({
  ...shares,
  method: "patch",
  path: "/{project_id}/shares/{share_id}",
  operationId: "updateShare",
  summary: "Change a share's role (owner)",
  description: "Takes effect on the user's next request.",
  request: { params: ShareParams, body: jsonBody(ShareUpdate) },
  responses: {
    200: json(Share, "Updated"),
    ...problems(400, 401, 403, [404, "PROJECT_NOT_FOUND", "SHARE_NOT_FOUND"], 413, 415, 422, 503),
  },
});

const deleteShareRoute = createRoute({
  ...shares,
  method: "delete",
  path: "/{project_id}/shares/{share_id}",
  operationId: "deleteShare",
  summary: "Remove a share (owner), or leave the project",
  description: "The owner removes anyone's share; a shared user may remove their own.",
  request: { params: ShareParams },
  responses: {
    204: empty("Removed"),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND", "SHARE_NOT_FOUND"], 422, 503),
  },
});

const createLinkRoute = createRoute({
  ...links,
  method: "post",
  path: "/{project_id}/links",
  operationId: "createLink",
  summary: "Create a read-only public link (owner)",
  description: "Its token reads and searches the project without an account; shown only here.",
  request: { params: ProjectIdParam, body: jsonBody(LinkCreate) },
  responses: {
    201: json(LinkCreated, "Created"),
    ...problems(400, 401, 403, [404, "PROJECT_NOT_FOUND"], 413, 415, 422, 503),
  },
});

const listLinksRoute = createRoute({
  ...links,
  method: "get",
  path: "/{project_id}/links",
  operationId: "listLinks",
  summary: "The project's public links (owner)",
  description: "Newest first; tokens show only their prefix.",
  request: { params: ProjectIdParam, query: PaginationQuery },
  responses: {
    200: json(pageSchema(Link), "Links"),
    ...problems(401, [403, "INSUFFICIENT_ROLE"], [404, "PROJECT_NOT_FOUND"], LIST_422, 503),
  },
});

const deleteLinkRoute = createRoute({
  ...links,
  method: "delete",
  path: "/{project_id}/links/{link_id}",
  operationId: "deleteLink",
  summary: "Revoke a public link (owner)",
  description: "The token stops working at once.",
  request: { params: LinkParams },
  responses: {
    204: empty("Revoked"),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND", "LINK_NOT_FOUND"], 422, 503),
  },
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
  operationId: "getSharedProject",
  tags: ["shared"],
  security: [],
  summary: "The project a public link opens",
  description: "No authentication: the token in the path is the credential.",
  request: { params: TokenParam },
  responses: {
    200: json(SharedProject, "The project, read-only"),
    ...problems([404, "SHARED_LINK_NOT_FOUND"], 422, 503),
  },
});

/** Mounted at `/v1/shared`: what a public link opens, without credentials. */
export const sharedRouter = createRouter().openapi(getSharedRoute, async (c) => {
  const project = await sharesService.getSharedProject({
    db: getDb(c.env),
    token: c.req.valid("param").token,
  });
  return c.json(project, 200);
});
