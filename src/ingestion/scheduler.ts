import type { Env } from "../config";
import { type Database, getDb, selectRows, sql } from "../database";
import { REFRESH_BATCH_LIMIT, STUCK_AFTER_MINUTES } from "../urls/constants";
import { enqueueIngest } from "./messages";

/**
 * Flips the urls due for a refresh to `queued` and returns their ids, in one statement: `ready`
 * and `failed` urls last fetched (or, never fetched, last touched) longer ago than their
 * project's `refresh_interval_hours`, plus urls stuck mid-ingest whose message was lost.
 * `skip locked` lets two overlapping runs share the work instead of doubling it.
 *
 * @example
 * const ids = await claimDueUrls(db); // ["7d3c…", …]
 */
export async function claimDueUrls(db: Database, limit = REFRESH_BATCH_LIMIT): Promise<string[]> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`with due as (
          select u.id from urls u join projects p on p.id = u.project_id
          where (u.status in ('ready', 'failed') and p.refresh_interval_hours is not null
                 and coalesce(u.fetched_at, u.updated_at)
                     < now() - make_interval(hours => p.refresh_interval_hours))
             or (u.status in ('queued', 'fetching', 'processing')
                 and u.updated_at < now() - make_interval(mins => ${STUCK_AFTER_MINUTES}::int))
          order by coalesce(u.fetched_at, u.updated_at)
          limit ${limit}
          for update of u skip locked
        )
        update urls u set status = 'queued', updated_at = now()
        from due where u.id = due.id
        returning u.id`,
  );
  return rows.map((row) => row.id);
}

/**
 * The Worker's `scheduled` handler: re-enqueues the urls due for a refresh.
 *
 * @example
 * export default { fetch: app.fetch, scheduled: refreshDueUrls } satisfies ExportedHandler<Env>;
 */
export async function refreshDueUrls(_controller: ScheduledController, env: Env): Promise<void> {
  const ids = await claimDueUrls(getDb(env));
  await enqueueIngest(env.INGEST_QUEUE, ids);
}
