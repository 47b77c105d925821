import { createRoute } from "@hono/zod-openapi";
import { createRouter, empty, json, jsonBody, problems } from "../app";
import { authSettings } from "../auth/config";
import * as authDependencies from "../auth/dependencies";
import { AccountGone } from "../auth/exceptions";
import { getConfig } from "../config";
import { getDb } from "../database";
import * as snapshots from "../ingestion/snapshots";
import { quotaLimits } from "../limits/quotas";
import { LIST_422, PaginationQuery, pageSchema } from "../pagination";
import * as webhooksOutbox from "../webhooks/outbox";
import { User, UserListQuery, UserMe, UserUpdate, UserUpdated } from "./schemas";
import * as usersService from "./service";

const tags = ["users"];
const security = [{ bearer: [] }];

const getMeRoute = createRoute({
  method: "get",
  path: "/me",
  operationId: "getMe",
  tags,
  security,
  summary: "The caller, with counts and quota usage",
  description:
    "Your account, how many projects, urls and chunks you own, and how much of each quota you use.",
  middleware: [authDependencies.authenticate] as const,
  responses: { 200: json(UserMe, "The caller"), ...problems(401, 503) },
});

const updateMeRoute = createRoute({
  method: "patch",
  path: "/me",
  operationId: "updateMe",
  tags,
  security,
  summary: "Rename, or change password (access token only)",
  description: "`{name}`, or `{password, current_password}` (revokes all refresh tokens).",
  middleware: [authDependencies.requireInteractive] as const,
  request: { body: jsonBody(UserUpdate) },
  responses: {
    200: json(UserUpdated, "Updated"),
    ...problems(
      400,
      [401, "NOT_AUTHENTICATED", "INVALID_TOKEN", "INVALID_CREDENTIALS"],
      authDependencies.INTERACTIVE_WRITE_403,
      413,
      415,
      422,
      503,
    ),
  },
});

const deleteMeRoute = createRoute({
  method: "delete",
  path: "/me",
  operationId: "deleteMe",
  tags,
  security,
  summary: "Delete the account and everything it owns (access token only)",
  description: "With its projects, urls, chunks, shares, keys and snapshots.",
  middleware: [authDependencies.requireInteractive] as const,
  responses: {
    204: empty("Deleted"),
    ...problems(401, authDependencies.INTERACTIVE_WRITE_403, 503),
  },
});

const listUsersRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listUsers",
  tags,
  security,
  summary: "All users (admin)",
  description: "Newest first; `q` matches email or name.",
  middleware: [authDependencies.requireAdmin] as const,
  request: { query: PaginationQuery.extend(UserListQuery.shape) },
  responses: {
    200: json(pageSchema(User), "Users"),
    ...problems(401, [403, "ADMIN_REQUIRED"], LIST_422, 503),
  },
});

export const usersRouter = createRouter()
  .openapi(getMeRoute, async (c) => {
    const { userId, projectIds } = c.get("caller");
    const me = await usersService.getMe({
      db: getDb(c.env),
      userId,
      onlyIds: projectIds,
      limits: quotaLimits(getConfig(c.env)),
    });
    if (!me) throw new AccountGone();
    return c.json(me, 200);
  })
  .openapi(updateMeRoute, async (c) => {
    const db = getDb(c.env);
    const { userId } = c.get("caller");
    const input = c.req.valid("json");
    const user =
      "password" in input
        ? await usersService.changePassword({
            db,
            userId,
            currentPassword: input.current_password,
            newPassword: input.password,
            accessTokenTtlSeconds: authSettings(getConfig(c.env)).accessTokenTtlSeconds,
          })
        : await usersService.updateName({ db, userId, name: input.name });
    return c.json(user, 200);
  })
  .openapi(deleteMeRoute, async (c) => {
    const deleted = await usersService.deleteUser({
      db: getDb(c.env),
      userId: c.get("caller").userId,
    });
    if (!deleted) throw new AccountGone();
    await snapshots.sendDeletions(c.env.INGEST_QUEUE, deleted.deletions);
    await webhooksOutbox.sendDeliveries(c.env.INGEST_QUEUE, deleted.deliveries);
    return c.body(null, 204);
  })
  .openapi(listUsersRoute, async (c) => {
    const { q, ...pagination } = c.req.valid("query");
    return c.json(await usersService.listUsers({ db: getDb(c.env), q, pagination }), 200);
  });
