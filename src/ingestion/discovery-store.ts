import { type Database, type SQL, selectRows, sql, transaction } from "../database";
import { quotaLock } from "../limits/quotas";
import {
  SITEMAPS_PER_SYNC_MAX,
  type SkipReason,
  SOURCE_ERROR_MESSAGE_MAX,
  type SourceType,
  START_DOC,
  SYNC_BATCH_LIMIT,
} from "../sources/constants";
import { type StartedSyncs, sourceJson, startSyncCtes, syncsStarted } from "../sources/service";
import * as webhooksOutbox from "../webhooks/outbox";
import * as snapshots from "./snapshots";
import { markGone } from "./store";

/**
 * The SQL of discovery (sitemaps and crawls). Every write names the source's `sync`: a message
 * of an earlier sync, or of a deleted source, finds no row to act on and changes nothing.
 */

export { START_DOC };

export interface SourceState {
  id: string;
  projectId: string;
  type: SourceType;
  url: string;
  include: string[];
  exclude: string[];
  maxPages: number;
  maxDepth: number;
  sameHostOnly: boolean;
  sync: number;
  /** robots.txt per host read during this sync (null text: none, everything allowed). */
  hosts: Record<string, { robots: string | null; crawlDelay: number | null }>;
}

/**
 * The source as discovery needs it while its sync `sync` (null: whichever is current) is still
 * running; else null. `running: false` loads it whatever its status (a redirect of its page
 * fetched after the sync ended is checked against the last sync's robots.txt too).
 */
export async function loadSource(
  db: Database,
  sourceId: string,
  sync: number | null,
  { running = true } = {},
): Promise<SourceState | null> {
  const [row] = await selectRows<{ source: SourceState }>(
    db,
    sql`select json_build_object('id', s.id, 'projectId', s.project_id, 'type', s.type,
          'url', s.url, 'include', s.include, 'exclude', s.exclude, 'maxPages', s.max_pages,
          'maxDepth', s.max_depth, 'sameHostOnly', s.same_host_only, 'sync', s.sync,
          'hosts', coalesce((select json_object_agg(h.host, json_build_object('robots', h.robots,
                     'crawlDelay', h.crawl_delay))
                   from source_hosts h where h.source_id = s.id and h.sync = s.sync), '{}'::json)
        ) as source
        from sources s
        where s.id = ${sourceId} and s.sync = coalesce(${sync}::int, s.sync)
          and (s.status = 'discovering' or not ${running})`,
  );
  return row?.source ?? null;
}

/** Records a host's robots.txt for the sync (a later sync reads it again). */
export async function saveRobots(
  db: Database,
  source: SourceState,
  host: string,
  robots: string | null,
  crawlDelay: number | null,
): Promise<void> {
  await selectRows(
    db,
    sql`insert into source_hosts (source_id, host, sync, robots, crawl_delay)
        select id, ${host}, ${source.sync}, ${robots}, ${crawlDelay} from sources
        where id = ${source.id} and sync = ${source.sync}
        on conflict (source_id, host) do update
          set sync = excluded.sync, robots = excluded.robots, crawl_delay = excluded.crawl_delay`,
  );
}

export interface Candidate {
  /** Normalized. */
  url: string;
  lastmod: string | null;
  depth: number;
}

export interface Admission {
  /** Url ids to enqueue: new ones and known ones that changed since the last sync. */
  queued: string[];
  /** New sitemap documents to read. */
  docs: string[];
  /** Urls left out because the project reached its urls_per_project quota. */
  overQuota: number;
  /** Sitemaps left out past SITEMAPS_PER_SYNC_MAX. */
  overDocs: number;
}

/**
 * One discovery step's writes, in one transaction under the project's urls quota lock: marks
 * the step's document done, records skips, lists new sitemap documents, inserts new urls (up
 * to the source's `max_pages` and the project's `quota`), and re-queues the source's known urls
 * that changed (a newer `<lastmod>`, or none given) and were not yet queued in this sync. A url
 * the project already has from elsewhere is left as it is. Urls once found to duplicate another
 * stay skipped (not fetched again) and are counted in this sync.
 */
export async function admit(
  db: Database,
  source: SourceState,
  step: {
    doc: string | null;
    candidates: Candidate[];
    skips: { url: string; reason: SkipReason }[];
    docs?: string[];
    quota: number;
  },
): Promise<Admission> {
  const { id, sync, projectId } = source;
  const alive = sql`exists (select 1 from sources where id = ${id} and sync = ${sync}
    and status = 'discovering')`;
  const input = JSON.stringify(step.candidates.map((c, ord) => ({ ord, ...c })));
  const statement = sql`with
    done as (
      update source_docs set done = true
      where source_id = ${id} and sync = ${sync} and url = ${step.doc} and ${alive}
    ),
    skipped as (
      insert into source_skips (source_id, url, reason, sync)
      select ${id}, x.url, x.reason, ${sync}
      from json_to_recordset(${JSON.stringify(step.skips)}::json) as x(url text, reason text)
      where ${alive}
      on conflict (source_id, url) do update set reason = excluded.reason, sync = excluded.sync
    ),
    doc_room as (
      select ${SITEMAPS_PER_SYNC_MAX}::int - (select count(*) from source_docs
        where source_id = ${id} and sync = ${sync} and url <> ${START_DOC}) as n
    ),
    doc_input as (
      select distinct x as url from json_array_elements_text(${JSON.stringify(step.docs ?? [])}::json) as x
      where not exists (select 1 from source_docs d
                        where d.source_id = ${id} and d.sync = ${sync} and d.url = x)
    ),
    new_docs as (
      insert into source_docs (source_id, sync, url)
      select ${id}, ${sync}, url from doc_input where ${alive}
      order by url limit greatest(0, (select n from doc_room))
      on conflict do nothing
      returning url
    ),
    input as (
      select x.* from json_to_recordset(${input}::json)
        as x(ord int, url text, lastmod timestamptz, depth int)
      where ${alive}
    ),
    duplicates as (
      update source_skips k set sync = ${sync} from input i
      where k.source_id = ${id} and k.url = i.url and k.reason = 'duplicate'
      returning k.url
    ),
    candidates as (
      select i.* from input i
      where not exists (select 1 from source_skips k
                        where k.source_id = ${id} and k.url = i.url and k.reason = 'duplicate')
    ),
    fresh as (
      select c.* from candidates c
      where not exists (select 1 from urls u
                        where u.project_id = ${projectId} and u.normalized_url = c.url)
    ),
    room as (
      select (select max_pages from sources where id = ${id})
               - (select count(*) from urls where source_id = ${id}) as pages,
             ${step.quota}::int - (select count(*) from urls where project_id = ${projectId})
               as quota
    ),
    inserted as (
      insert into urls (project_id, url, normalized_url, source_id, source_depth, source_sync,
                        lastmod)
      select ${projectId}, f.url, f.url, ${id}, f.depth, ${sync}, f.lastmod
      from (select * from fresh order by ord
            limit greatest(0, (select least(pages, quota) from room))) f
      on conflict (project_id, normalized_url) do nothing
      returning id
    ),
    known as (
      select u.id, c.depth, c.lastmod,
             u.status in ('ready', 'failed', 'gone')
               and (c.lastmod is null or u.lastmod is null or c.lastmod > u.lastmod) as again
      from candidates c join urls u on u.project_id = ${projectId} and u.normalized_url = c.url
      where u.source_id = ${id} and coalesce(u.source_sync, 0) < ${sync}
    ),
    requeued as (
      update urls u set
        source_sync = ${sync}, source_depth = least(u.source_depth, k.depth),
        lastmod = coalesce(k.lastmod, u.lastmod),
        status = case when k.again then 'queued' else u.status end,
        attempts = case when k.again then 0 else u.attempts end,
        stalls = case when k.again then 0 else u.stalls end, updated_at = now()
      from known k where u.id = k.id
      returning u.id, k.again
    )
    select
      coalesce((select json_agg(id) from inserted), '[]'::json) as inserted,
      coalesce((select json_agg(id) from requeued where again), '[]'::json) as requeued,
      coalesce((select json_agg(url) from new_docs), '[]'::json) as docs,
      (select count(*) from doc_input)::int - (select count(*) from new_docs)::int as over_docs,
      case when (select quota from room) < (select pages from room)
           then greatest(0, (select count(*) from fresh)::int - (select count(*) from inserted)::int)
           else 0 end as over_quota,
      (select count(*) from duplicates)::int as duplicates`;
  const [, rows] = await transaction(db, [quotaLock("urls_per_project", projectId), statement]);
  const [row] = (rows ?? []) as {
    inserted: string[];
    requeued: string[];
    docs: string[];
    over_docs: number;
    over_quota: number;
  }[];
  return {
    queued: [...(row?.inserted ?? []), ...(row?.requeued ?? [])],
    docs: row?.docs ?? [],
    overQuota: row?.over_quota ?? 0,
    overDocs: row?.over_docs ?? 0,
  };
}

/**
 * Records what went wrong in the sync (the last error shows on the source). `endsSync`: the sync
 * cannot go on (robots.txt unavailable), so the source is `failed` now; its urls stay as they are.
 */
export async function recordError(
  db: Database,
  source: { id: string; sync: number },
  code: string,
  message: string,
  { endsSync = false } = {},
): Promise<void> {
  const ending = endsSync ? sql`, status = 'failed', synced_at = now()` : sql``;
  const running = endsSync ? sql`and status = 'discovering'` : sql``;
  await selectRows(
    db,
    sql`update sources set error_code = ${code},
          error_message = ${message.slice(0, SOURCE_ERROR_MESSAGE_MAX)}, error_at = now(),
          updated_at = now() ${ending}
        where id = ${source.id} and sync = ${source.sync} ${running}`,
  );
}

/**
 * Finishes the source's sync when nothing is left to do: no sitemap document unread, no url of
 * the source queued or being indexed. Then, for a sitemap, its urls the sync did not list are
 * marked gone ({@link markGone}), and the source becomes `ready` (`failed` when the sync found
 * nothing and recorded an error). One statement, which also records the `source.synced` and
 * `url.gone` webhook deliveries (sent here); idempotent, so every step that may have been the
 * last calls it. This is the one place a sync ends.
 *
 * @example
 * await finishSync(db, queue, sql`select ${sourceId}::uuid`);
 */
export async function finishSync(db: Database, queue: Queue<unknown>, sourceIds: SQL) {
  const [row] = await selectRows<{ deliveries: string[] }>(
    db,
    sql`with settled as (
          select s.id, s.type, s.sync, s.error_code from sources s
          where s.id in (${sourceIds}) and s.status = 'discovering'
            and not exists (select 1 from source_docs d
                            where d.source_id = s.id and d.sync = s.sync and not d.done)
            and not exists (select 1 from urls u where u.source_id = s.id
                            and u.status in ('queued', 'fetching', 'processing'))
          for update of s
        ),
        ${markGone(
          "unlisted",
          sql`select u.id from urls u join settled s on u.source_id = s.id
            where s.type = 'sitemap' and s.error_code is null
              and coalesce(u.source_sync, 0) < s.sync`,
        )},
        finished as (
          update sources s set
            status = case when s.error_code is not null
                            and not exists (select 1 from urls u where u.source_id = s.id)
                          then 'failed' else 'ready' end,
            synced_at = now(), updated_at = now()
          from settled t where s.id = t.id
          returning s.*
        ),
        synced_events as (${webhooksOutbox.emit(
          "source.synced",
          sql`select f.project_id, json_build_object('project_id', f.project_id,
                'source', ${sourceJson("f")}) from finished f`,
        )})
        select coalesce((select json_agg(id) from (select id from unlisted_events
                         union all select id from synced_events) e), '[]'::json) as deliveries`,
  );
  await webhooksOutbox.sendDeliveries(queue, row?.deliveries ?? []);
}

/**
 * The source of `urlId` (when it has one) may have just finished its sync: {@link finishSync}.
 */
export async function finishSyncOfUrl(db: Database, queue: Queue<unknown>, urlId: string) {
  await finishSync(db, queue, sql`select source_id from urls where id = ${urlId}`);
}

/**
 * Sources still `discovering` (a step may have ended without the last call to finishSync, e.g.
 * a url timed out by the cron): finished here when nothing is pending.
 */
export async function finishIdleSyncs(db: Database, queue: Queue<unknown>): Promise<void> {
  await finishSync(
    db,
    queue,
    sql`select id from sources where status = 'discovering' limit ${SYNC_BATCH_LIMIT}`,
  );
}

/** Starts a sync of the sources `ids` selects ({@link startSyncCtes}). */
export async function startSyncs(db: Database, ids: SQL): Promise<StartedSyncs> {
  const [row] = await selectRows<StartedSyncs>(
    db,
    sql`with ${startSyncCtes(ids)} select ${syncsStarted}`,
  );
  return { started: row?.started ?? [], url_ids: row?.url_ids ?? [] };
}

/**
 * The pending steps of syncs that made no progress for `stuckAfterSeconds` (a message lost, or
 * its consumer killed): returned to be sent again, and the sources touched so the next cron run
 * waits as long again. Steps are idempotent, so a step that was merely slow costs a repeat.
 */
export async function claimStalledSteps(
  db: Database,
  stuckAfterSeconds: number,
): Promise<{ sourceId: string; sync: number; doc: string }[]> {
  return selectRows(
    db,
    sql`with stalled as (
          update sources set updated_at = now()
          where id in (select id from sources where status = 'discovering'
                         and updated_at < now() - make_interval(secs => ${stuckAfterSeconds}::int)
                       limit ${SYNC_BATCH_LIMIT})
          returning id, sync
        )
        select d.source_id as "sourceId", d.sync, d.url as doc
        from source_docs d join stalled s on d.source_id = s.id and d.sync = s.sync
        where not d.done`,
  );
}

/**
 * Sources due for a re-sync: finished (`ready` or `failed`) longer ago than their project's
 * `refresh_interval_hours`.
 */
export function dueSources(): SQL {
  return sql`select s.id from sources s join projects p on p.id = s.project_id
    where s.status in ('ready', 'failed') and p.refresh_interval_hours is not null
      and coalesce(s.synced_at, s.updated_at)
          < now() - make_interval(hours => p.refresh_interval_hours)
    order by coalesce(s.synced_at, s.updated_at)
    limit ${SYNC_BATCH_LIMIT}`;
}

/**
 * Claims a fetched page for a source's url, or finds it a duplicate: another url of the project
 * already has the same content (`content_hash`) or is the page this one redirected to. A
 * duplicate url is deleted (with its snapshots) and counted as skipped, so redirects, loops and
 * mirrored pages never make two urls of one page. A url that redirected to a page the project
 * does not have yet becomes that page (its `normalized_url` is the redirect's target, and the
 * redirecting url is counted as a skipped duplicate), so the target found later is not added
 * twice. Runs under a lock on the content hash, so two twins
 * fetched at once cannot both pass. One round trip.
 */
export async function claimPage(
  db: Database,
  {
    urlId,
    projectId,
    finalUrl,
    contentHash,
  }: {
    urlId: string;
    projectId: string;
    finalUrl: string;
    contentHash: string;
  },
): Promise<{ duplicate: boolean; deletions: snapshots.Deletion[] }> {
  const prefix = snapshots.urlPrefix(projectId, urlId);
  const [, rows] = await transaction(db, [
    sql`select pg_advisory_xact_lock(hashtextextended(${`page:${projectId}:${contentHash}`}, 0))`,
    sql`with me as (
          select u.id, u.source_id, u.normalized_url from urls u
          where u.id = ${urlId} and u.source_id is not null
        ),
        twin as (
          select 1 from urls o
          where o.project_id = ${projectId} and o.id <> ${urlId}
            and (o.content_hash = ${contentHash} or o.normalized_url = ${finalUrl})
          limit 1
        ),
        skipped as (
          insert into source_skips (source_id, url, reason, sync)
          select me.source_id, me.normalized_url, 'duplicate', s.sync
          from me join sources s on s.id = me.source_id
          where exists (select 1 from twin) or me.normalized_url <> ${finalUrl}
          on conflict (source_id, url) do update set reason = 'duplicate', sync = excluded.sync
        ),
        removed as (
          delete from urls where id = (select id from me) and exists (select 1 from twin)
          returning id
        ),
        scheduled as (${snapshots.scheduleDeletions(sql`select ${prefix}::text from removed`)}),
        claimed as (
          update urls set content_hash = ${contentHash}, normalized_url = ${finalUrl}
          where id = (select id from me) and not exists (select 1 from twin)
        )
        select exists (select 1 from removed) as duplicate,
               ${snapshots.deletionsJson("scheduled")} as deletions`,
  ]);
  const [row] = (rows ?? []) as { duplicate: boolean; deletions: snapshots.Deletion[] }[];
  return { duplicate: row?.duplicate ?? false, deletions: row?.deletions ?? [] };
}
