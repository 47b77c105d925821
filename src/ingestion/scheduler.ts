import { type Config, type Env, getConfig } from "../config";
import { type Database, getDb, selectRows, sql } from "../database";
import { REFRESH_BATCH_LIMIT } from "../urls/constants";
import * as webhooksDelivery from "../webhooks/delivery";
import * as webhooksOutbox from "../webhooks/outbox";
import { enqueueIngest } from "./messages";
import * as snapshots from "./snapshots";
import { reapStalledUrls } from "./store";

/**
 * Flips the urls due for a refresh to `queued` and returns their ids, in one statement: `ready`
 * and `failed` urls last fetched (or, never fetched, last touched) longer ago than their
 * project's `refresh_interval_hours`. A refresh is a new round: its attempts count from zero.
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
          where u.status in ('ready', 'failed') and p.refresh_interval_hours is not null
            and coalesce(u.fetched_at, u.updated_at)
                < now() - make_interval(hours => p.refresh_interval_hours)
          order by coalesce(u.fetched_at, u.updated_at)
          limit ${limit}
          for update of u skip locked
        )
        update urls u set status = 'queued', attempts = 0, updated_at = now()
        from due where u.id = due.id
        returning u.id`,
  );
  return rows.map((row) => row.id);
}

/**
 * The Worker's `scheduled` handler, four independent jobs (one statement each, run at once):
 * re-enqueue urls due for a refresh, re-queue or time out urls whose ingest stalled, and re-send
 * snapshot deletions and webhook deliveries whose message may have been lost. One failing does not stop the others.
 *
 * @example
 * export default { fetch: app.fetch, scheduled: runCron } satisfies ExportedHandler<Env>;
 */
export async function runCron(_controller: ScheduledController, env: Env): Promise<void> {
  const db = getDb(env);
  const config = getConfig(env);
  const queue = env.INGEST_QUEUE;
  const jobs = await Promise.allSettled([
    claimDueUrls(db).then((ids) => enqueueIngest(queue, ids)),
    reapStalledUrls(db, stallSettings(config)).then((ids) => enqueueIngest(queue, ids)),
    snapshots
      .claimDueDeletions(db, REFRESH_BATCH_LIMIT)
      .then((due) => snapshots.sendDeletions(queue, due)),
    webhooksDelivery.claimOverdue(db).then((ids) => webhooksOutbox.sendDeliveries(queue, ids)),
  ]);
  const failed = jobs.filter((job) => job.status === "rejected");
  if (failed.length > 0)
    throw new AggregateError(
      failed.map((job) => job.reason),
      "cron failed",
    );
}

function stallSettings(config: Config) {
  return {
    stuckAfterSeconds: config.INGEST_STUCK_AFTER_SECONDS,
    maxRequeues: config.INGEST_STUCK_MAX_REQUEUES,
    limit: REFRESH_BATCH_LIMIT,
  };
}
