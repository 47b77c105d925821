import { type SQL, sql } from "../database";
import { sendAfterCommit, sendMessages } from "../ingestion/messages";
import * as urlsService from "../urls/service";
import type { WebhookEvent } from "./constants";

/**
 * The outbox: SQL that other domains put into the statement (or transaction batch) that makes
 * the change an event reports, so the event is recorded if and only if the change commits. It
 * inserts one pending delivery per enabled endpoint of the project subscribed to the event and
 * returns the deliveries' ids, which the caller hands to the queue ({@link deliveryMessages});
 * the cron sends any whose message was lost.
 */

/**
 * A data-modifying CTE body recording `event` for each row of `rows`, a query of
 * `(project_id uuid, data json)`; the event's payload is `{type, timestamp, data}`.
 *
 * @example
 * sql`with synced as (update sources … returning *),
 *     events as (${emit("source.synced", sql`select s.project_id, ${sourceJson("s")} from synced s`)})
 *     select coalesce((select json_agg(id) from events), '[]') as deliveries`
 */
export function emit(event: WebhookEvent, rows: SQL): SQL {
  return sql`insert into webhook_deliveries (endpoint_id, event, payload)
    select e.id, ${event}::text,
           json_build_object('type', ${event}::text, 'timestamp', api_time(now()),
                             'data', r.data)::text
    from (${rows}) as r(project_id, data)
    join webhook_endpoints e on e.project_id = r.project_id and e.enabled
      and ${event}::text = any(e.events)
    returning id`;
}

/**
 * {@link emit} for url events: `data` is `{project_id, url}` with the url object as the API
 * shows it, for the url rows of `from` (aliased `u`, e.g. the CTE of an `update urls … returning *`).
 *
 * @example
 * sql`with gone as (delete from urls … returning *), events as (${urlEvents("url.gone", sql`gone u`)}) …`
 */
export function urlEvents(event: WebhookEvent, from: SQL, where: SQL = sql`true`): SQL {
  return emit(
    event,
    sql`select u.project_id,
          json_build_object('project_id', u.project_id, 'url', ${urlsService.urlJson("u")})
        from ${from} where ${where}`,
  );
}

/**
 * {@link emit} for `project.deleted`, for the project rows of `from` (with `id` and `name`, e.g.
 * a `delete from projects … returning id, name` CTE). It must run in the deleting statement: it
 * reads the endpoints as they were before the delete cleared their `project_id`.
 */
export function projectDeletedEvents(from: SQL): SQL {
  return emit(
    "project.deleted",
    sql`select id, json_build_object('project_id', id, 'name', name) from ${from}`,
  );
}

/** The ids (a JSON array) of the CTE `alias` built by {@link emit}. */
export function deliveryIds(alias: string): SQL {
  return sql`coalesce((select json_agg(id) from ${sql.raw(alias)}), '[]'::json)`;
}

/**
 * Asks the consumer to send committed deliveries now, after `delaySeconds` when given. Never
 * throws: a delivery whose message is lost stays pending, and the cron sends it again.
 *
 * @example
 * await sendDeliveries(env.INGEST_QUEUE, deliveryIds);
 */
export function sendDeliveries(
  queue: Queue<unknown>,
  ids: readonly string[],
  delaySeconds?: number,
): Promise<void> {
  return sendAfterCommit("the cron's webhook sweep", () =>
    sendMessages(
      queue,
      ids.map((deliveryId) => ({ kind: "webhook", deliveryId })),
      delaySeconds,
    ),
  );
}
