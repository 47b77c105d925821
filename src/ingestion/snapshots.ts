import { type Database, type SQL, selectRows, sql } from "../database";
import * as messages from "./messages";

/** Where a url's raw snapshot lives: by project, url and content hash. */
export function snapshotKey(projectId: string, urlId: string, contentHash: string): string {
  return `${urlPrefix(projectId, urlId)}${contentHash}`;
}

export function projectPrefix(projectId: string): string {
  return `projects/${projectId}/`;
}

/** {@link projectPrefix} in SQL, for a project id column or expression. */
export function projectPrefixSql(projectId: SQL): SQL {
  return sql`'projects/' || ${projectId} || '/'`;
}

export function urlPrefix(projectId: string, urlId: string): string {
  return `${projectPrefix(projectId)}urls/${urlId}/`;
}

/** {@link urlPrefix} in SQL, for project and url id columns or expressions. */
export function urlPrefixSql(projectId: SQL, urlId: SQL): SQL {
  return sql`${projectPrefixSql(projectId)} || 'urls/' || ${urlId} || '/'`;
}

/** A pending S3 clean-up: one outbox row (`storage_deletions`). */
export interface Deletion {
  id: string;
  prefix: string;
}

/**
 * A data-modifying CTE body that puts the prefixes `prefixes` (a query of one text column)
 * into the deletion outbox. Used in the statement that deletes the rows, so the clean-up
 * commits with the delete; {@link deletionsJson} reads back what it scheduled.
 *
 * @example
 * sql`with gone as (delete from urls where id = ${id} returning id),
 *     scheduled as (${scheduleDeletions(sql`select ${prefix}::text from gone`)})
 *     select ${deletionsJson("scheduled")} as deletions`
 */
export function scheduleDeletions(prefixes: SQL): SQL {
  return sql`insert into storage_deletions (prefix) ${prefixes} returning id, prefix`;
}

/** The {@link Deletion} list (JSON) of the CTE `alias` built by {@link scheduleDeletions}. */
export function deletionsJson(alias: string): SQL {
  return sql`coalesce((select json_agg(json_build_object('id', id, 'prefix', prefix))
    from ${sql.raw(alias)}), '[]'::json)`;
}

/**
 * Asks the consumer to carry out committed deletions now. Never throws: a deletion whose
 * message is lost stays in the outbox, and the cron sends it again after its `retry_at`.
 */
export function sendDeletions(queue: Queue<unknown>, deletions: readonly Deletion[]) {
  return messages.sendAfterCommit("the cron's outbox retry", () =>
    messages.sendMessages(
      queue,
      deletions.map(({ id, prefix }) => ({ kind: "delete-prefix", prefix, deletionId: id })),
    ),
  );
}

/**
 * Records that a snapshot must be deleted, for the cron to hand to the consumer at its next run
 * (when deleting it at once failed).
 */
export async function scheduleDeletionLater(db: Database, prefix: string): Promise<void> {
  await selectRows(
    db,
    sql`insert into storage_deletions (prefix, retry_at) values (${prefix}, now())`,
  );
}

/** The outbox row is done: its prefix is gone from S3. */
export async function completeDeletion(db: Database, id: string): Promise<void> {
  await selectRows(db, sql`delete from storage_deletions where id = ${id}`);
}

/** How long the cron waits for a re-sent deletion's message before sending it again. */
const RESEND_AFTER_MINUTES = 10;

/**
 * Claims the outbox rows due for (another) message: their `retry_at` is pushed ahead, so two
 * cron runs never send the same row at once. One statement.
 */
export async function claimDueDeletions(db: Database, limit: number): Promise<Deletion[]> {
  return await selectRows<Deletion>(
    db,
    sql`with due as (
          select id from storage_deletions where retry_at <= now()
          order by retry_at limit ${limit} for update skip locked
        )
        update storage_deletions d
        set retry_at = now() + make_interval(mins => ${RESEND_AFTER_MINUTES})
        from due where d.id = due.id
        returning d.id, d.prefix`,
  );
}
