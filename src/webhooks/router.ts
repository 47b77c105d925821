import { createRoute } from "@hono/zod-openapi";
import { createRouter, empty, json, jsonBody, problems } from "../app";
import { getConfig } from "../config";
import { getDb } from "../database";
import { quotaLimits } from "../limits/quotas";
import { LIST_422, PaginationQuery, pageSchema } from "../pagination";
import * as projectsDependencies from "../projects/dependencies";
import { ProjectIdParam } from "../projects/schemas";
import { fetchSettings } from "../urls/config";
import { Delivery, Webhook, WebhookCreate, WebhookCreated, WebhookParams } from "./schemas";
import * as webhooksService from "./service";

const tags = ["webhooks"];
const security = [{ bearer: [] }];
const middleware = projectsDependencies.projectMember;

const createWebhookRoute = createRoute({
  method: "post",
  path: "/{project_id}/webhooks",
  tags,
  security,
  middleware,
  operationId: "createWebhook",
  summary: "Register a signed webhook endpoint (editor+)",
  description:
    "Deliveries follow Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The secret is shown only here.",
  request: { params: ProjectIdParam, body: jsonBody(WebhookCreate) },
  responses: {
    201: json(WebhookCreated, "Created"),
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

const listWebhooksRoute = createRoute({
  method: "get",
  path: "/{project_id}/webhooks",
  tags,
  security,
  middleware,
  operationId: "listWebhooks",
  summary: "The project's webhook endpoints (editor+)",
  description: "Newest first, without secrets.",
  request: { params: ProjectIdParam, query: PaginationQuery },
  responses: {
    200: json(pageSchema(Webhook), "Webhooks"),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND"], LIST_422, 503),
  },
});

const deleteWebhookRoute = createRoute({
  method: "delete",
  path: "/{project_id}/webhooks/{webhook_id}",
  tags,
  security,
  middleware,
  operationId: "deleteWebhook",
  summary: "Delete a webhook endpoint (editor+)",
  description: "Its delivery log goes too; pending deliveries are not sent.",
  request: { params: WebhookParams },
  responses: {
    204: empty("Deleted"),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND", "WEBHOOK_NOT_FOUND"], 422, 503),
  },
});

const listDeliveriesRoute = createRoute({
  method: "get",
  path: "/{project_id}/webhooks/{webhook_id}/deliveries",
  tags,
  security,
  middleware,
  operationId: "listWebhookDeliveries",
  summary: "A webhook's delivery log (editor+)",
  description: "Newest first, each with its status, attempts and their status codes.",
  request: { params: WebhookParams, query: PaginationQuery },
  responses: {
    200: json(pageSchema(Delivery), "Deliveries"),
    ...problems(401, 403, [404, "PROJECT_NOT_FOUND", "WEBHOOK_NOT_FOUND"], LIST_422, 503),
  },
});

export const webhooksRouter = createRouter()
  .openapi(createWebhookRoute, async (c) => {
    const config = getConfig(c.env);
    const webhook = await webhooksService.createWebhook({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      input: c.req.valid("json"),
      allowHosts: fetchSettings(config).allowHosts,
      limit: quotaLimits(config).webhooks_per_project,
    });
    return c.json(webhook, 201);
  })
  .openapi(listWebhooksRoute, async (c) => {
    const page = await webhooksService.listWebhooks({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: c.req.valid("param").project_id,
      pagination: c.req.valid("query"),
    });
    return c.json(page, 200);
  })
  .openapi(deleteWebhookRoute, async (c) => {
    const { project_id, webhook_id } = c.req.valid("param");
    await webhooksService.deleteWebhook({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: project_id,
      webhookId: webhook_id,
    });
    return c.body(null, 204);
  })
  .openapi(listDeliveriesRoute, async (c) => {
    const { project_id, webhook_id } = c.req.valid("param");
    const page = await webhooksService.listDeliveries({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      projectId: project_id,
      webhookId: webhook_id,
      pagination: c.req.valid("query"),
    });
    return c.json(page, 200);
  });
