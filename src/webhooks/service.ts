import { type Database, type SQL, selectRows, sql } from "../database";
import { QuotaExceeded, underQuota } from "../limits/quotas";
import { createdAtPage, createdBefore, type Page, type Pagination } from "../pagination";
import type { ProjectRole } from "../projects/constants";
import * as projectsService from "../projects/service";
import * as urlsService from "../urls/service";
import { SECRET_BYTES, SECRET_PREFIX } from "./constants";
import { WebhookNotFound } from "./exceptions";
import type { Delivery, Webhook, WebhookCreate, WebhookCreated } from "./schemas";

interface ProjectCall {
  db: Database;
  userId: string;
  projectId: string;
}

function webhookJson(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`json_build_object('id', ${a}.id, 'url', ${a}.url, 'events', to_json(${a}.events),
    'enabled', ${a}.enabled, 'disabled_reason', ${a}.disabled_reason,
    'created_at', api_time(${a}.created_at))`;
}

function deliveryJson(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`json_build_object('id', ${a}.id, 'event', ${a}.event, 'status', ${a}.status,
    'attempts', ${a}.attempts,
    'last_status_code', (${a}.attempt_log -> -1 ->> 'status_code')::int,
    'attempt_log', ${a}.attempt_log,
    'next_attempt_at', case when ${a}.status = 'pending' then api_time(${a}.next_attempt_at) end,
    'delivered_at', api_time(${a}.delivered_at), 'created_at', api_time(${a}.created_at))`;
}

/** A Standard Webhooks secret: `whsec_` + base64 of random bytes. */
function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  return `${SECRET_PREFIX}${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * Registers an endpoint (editor+) after the same address screen as pages (422
 * `URL_NOT_ALLOWED` for a private target, before anything is stored); 409 `QUOTA_EXCEEDED` past
 * `limit` endpoints. The secret is returned here only.
 */
export async function createWebhook({
  db,
  userId,
  projectId,
  input,
  allowHosts,
  limit,
}: ProjectCall & {
  input: WebhookCreate;
  allowHosts: ReadonlySet<string>;
  limit: number;
}): Promise<WebhookCreated> {
  const [target] = urlsService.screenUrls([input.url], allowHosts, () => "body.url");
  const secret = newSecret();
  const [row] = await underQuota<{ role: ProjectRole | null; webhook: Webhook | null }>(
    db,
    "webhooks_per_project",
    projectId,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        created as (
          insert into webhook_endpoints (project_id, url, events, secret)
          select ${projectId}::uuid, ${target?.normalized ?? ""}::text,
                 array(select json_array_elements_text(${JSON.stringify(input.events)}::json)),
                 ${secret}::text
          where (select role from access) in ${projectsService.rolesAtLeast("editor")}
            and (select count(*) from webhook_endpoints where project_id = ${projectId}) < ${limit}
          returning *
        )
        select (select role from access) as role, (select ${webhookJson("w")} from created w) as webhook`,
  );
  projectsService.requireRole(row?.role, "editor");
  if (!row?.webhook) throw new QuotaExceeded("webhooks_per_project", limit);
  return { ...row.webhook, secret };
}

/** The project's webhooks, newest first, without secrets (editor+). */
export function listWebhooks({
  db,
  userId,
  projectId,
  pagination,
}: ProjectCall & { pagination: Pagination }): Promise<Page<Webhook>> {
  return projectsService.listInProject<Webhook>({
    db,
    userId,
    projectId,
    needed: "editor",
    pagination,
    listed: sql`select w.created_at, w.id, ${webhookJson("w")} as item,
                       api_time(w.created_at) as sort_at
      from webhook_endpoints w
      where w.project_id = ${projectId} and ${createdBefore("w", pagination.cursor)}
      order by w.created_at desc, w.id desc
      limit ${pagination.limit + 1}`,
  });
}

/** Deletes a webhook (editor+) with its delivery log; pending deliveries are not sent. */
export async function deleteWebhook({
  db,
  userId,
  projectId,
  webhookId,
}: ProjectCall & { webhookId: string }): Promise<void> {
  const [row] = await selectRows<{ role: ProjectRole | null; deleted: boolean }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        gone as (
          delete from webhook_endpoints
          where id = ${webhookId} and project_id = ${projectId}
            and (select role from access) in ${projectsService.rolesAtLeast("editor")}
          returning id
        )
        select (select role from access) as role, exists(select 1 from gone) as deleted`,
  );
  projectsService.requireRole(row?.role, "editor");
  if (!row?.deleted) throw new WebhookNotFound();
}

/** A webhook's deliveries, newest first, with their attempts (editor+). */
export async function listDeliveries({
  db,
  userId,
  projectId,
  webhookId,
  pagination,
}: ProjectCall & { webhookId: string; pagination: Pagination }): Promise<Page<Delivery>> {
  const [row] = await selectRows<{
    role: ProjectRole | null;
    found: boolean;
    rows: { item: Delivery; sort_at: string }[];
  }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        hook as (
          select id from webhook_endpoints
          where id = ${webhookId} and project_id = ${projectId}
            and (select role from access) in ${projectsService.rolesAtLeast("editor")}
        ),
        page as (
          select d.created_at, d.id, ${deliveryJson("d")} as item, api_time(d.created_at) as sort_at
          from webhook_deliveries d
          where d.endpoint_id = (select id from hook) and ${createdBefore("d", pagination.cursor)}
          order by d.created_at desc, d.id desc
          limit ${pagination.limit + 1}
        )
        select (select role from access) as role, exists(select 1 from hook) as found,
               coalesce((select json_agg(json_build_object('item', item, 'sort_at', sort_at)
                                         order by created_at desc, id desc) from page),
                        '[]'::json) as rows`,
  );
  projectsService.requireRole(row?.role, "editor");
  if (!row?.found) throw new WebhookNotFound();
  return createdAtPage(row.rows, pagination.limit);
}
