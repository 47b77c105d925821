import { type Database, type SQL, selectRows, sql } from "../database";
import * as snapshots from "../ingestion/snapshots";
import { createdBefore, type Page, type Pagination } from "../pagination";
import type { ProjectRole } from "../projects/constants";
import * as projectsService from "../projects/service";
import { MAX_DEPTH_DEFAULT, START_DOC } from "./constants";
import { SourceNotFound } from "./exceptions";
import type { Source, SourceCreate } from "./schemas";

interface SourceCall {
  db: Database;
  userId: string;
  projectId: string;
}

/**
 * The source object built by Postgres from row alias `alias` (a `sources` row). `ingesting` is
 * a discovering source whose discovery is over: no sitemap left to read and, for a crawl, no
 * page left to fetch that may still add links.
 */
export function sourceJson(alias: string): SQL {
  const a = sql.raw(alias);
  const urlsOf = sql`from urls su where su.source_id = ${a}.id`;
  const skips = (reason: string) =>
    sql`(select count(*) from source_skips k
         where k.source_id = ${a}.id and k.sync = ${a}.sync and k.reason = ${reason})`;
  return sql`json_build_object(
    'id', ${a}.id, 'type', ${a}.type, 'url', ${a}.url, 'include', to_json(${a}.include),
    'exclude', to_json(${a}.exclude), 'max_pages', ${a}.max_pages, 'max_depth', ${a}.max_depth,
    'same_host_only', ${a}.same_host_only,
    'status', case
      when ${a}.status <> 'discovering' then ${a}.status
      -- Not visible yet in the statement that starts the sync: discovering.
      when not exists (select 1 from source_docs d where d.source_id = ${a}.id
                       and d.sync = ${a}.sync and d.url = ${START_DOC} and d.done)
        then 'discovering'
      when exists (select 1 from source_docs d
                   where d.source_id = ${a}.id and d.sync = ${a}.sync and not d.done)
        then 'discovering'
      when ${a}.type = 'crawl' and exists (select 1 ${urlsOf}
             and su.status in ('queued', 'fetching', 'processing')
             and coalesce(su.source_depth, 0) < ${a}.max_depth)
        then 'discovering'
      else 'ingesting' end,
    'sync', ${a}.sync,
    'counts', (select json_build_object(
        'discovered', count(*) + ${skips("robots")} + ${skips("pattern")} + ${skips("duplicate")}
                      + ${skips("not_allowed")},
        'queued', count(*) filter (where su.status in ('queued', 'fetching', 'processing')),
        'ready', count(*) filter (where su.status = 'ready'),
        'failed', count(*) filter (where su.status = 'failed'),
        'gone', count(*) filter (where su.status = 'gone'),
        'skipped_robots', ${skips("robots")}, 'skipped_pattern', ${skips("pattern")},
        'skipped_duplicate', ${skips("duplicate")}, 'skipped_not_allowed', ${skips("not_allowed")})
      ${urlsOf}),
    'last_error', case when ${a}.error_code is null then null
      else json_build_object('code', ${a}.error_code, 'message', coalesce(${a}.error_message, ''),
                             'at', api_time(coalesce(${a}.error_at, ${a}.updated_at))) end,
    'sync_started_at', api_time(${a}.sync_started_at), 'synced_at', api_time(${a}.synced_at),
    'created_at', api_time(${a}.created_at), 'updated_at', api_time(${a}.updated_at))`;
}

/**
 * The CTEs that start a new sync of the sources `ids` selects: sync + 1, `discovering`, error
 * cleared, the start step pending; for a crawl, its known urls are queued again (conditional
 * requests keep unchanged pages cheap). A source already discovering is left as it is (its sync
 * goes on). `started` returns the sources' rows, `requeued` the url ids; {@link syncsStarted}
 * reads both. For one statement with an authorization check (sources/service.ts).
 */
export function startSyncCtes(ids: SQL): SQL {
  return sql`started as (
      update sources set sync = sync + 1, status = 'discovering', error_code = null,
        error_message = null, error_at = null, sync_started_at = now(), updated_at = now()
      where id in (${ids}) and status <> 'discovering'
      returning *
    ),
    start_docs as (
      insert into source_docs (source_id, sync, url) select id, sync, ${START_DOC} from started
    ),
    cleared as (
      delete from source_docs d using started s where d.source_id = s.id and d.sync < s.sync
    ),
    requeued as (
      update urls u set status = 'queued', attempts = 0, stalls = 0, source_sync = s.sync,
        updated_at = now()
      from started s
      where u.source_id = s.id and s.type = 'crawl' and u.status in ('ready', 'failed', 'gone')
      returning u.id
    )`;
}

/** Columns `started` (sources and their sync) and `url_ids` after {@link startSyncCtes}. */
export const syncsStarted = sql`coalesce((select json_agg(json_build_object('id', id, 'sync', sync))
    from started), '[]'::json) as started,
  coalesce((select json_agg(id) from requeued), '[]'::json) as url_ids`;

export interface StartedSyncs {
  started: { id: string; sync: number }[];
  url_ids: string[];
}

/**
 * Creates a source (editor+) with its first sync pending, in one statement; the caller sends
 * the sync's first step. `url` is normalized and screened already.
 */
export async function createSource({
  db,
  userId,
  projectId,
  input,
  url,
  maxPages,
}: SourceCall & { input: SourceCreate; url: string; maxPages: number }): Promise<Source> {
  const [row] = await selectRows<{ role: ProjectRole | null; source: Source | null }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        created as (
          insert into sources (project_id, type, url, include, exclude, max_pages, max_depth,
                               same_host_only)
          select ${projectId}::uuid, ${input.type}, ${url},
                 array(select json_array_elements_text(${JSON.stringify(input.include ?? [])}::json)),
                 array(select json_array_elements_text(${JSON.stringify(input.exclude ?? [])}::json)),
                 ${maxPages}::int, ${input.max_depth ?? MAX_DEPTH_DEFAULT}::int,
                 ${input.same_host_only ?? true}::boolean
          where (select role from access) in ${projectsService.rolesAtLeast("editor")}
          returning *
        ),
        start as (
          insert into source_docs (source_id, sync, url) select id, sync, ${START_DOC} from created
        )
        select (select role from access) as role,
               (select ${sourceJson("s")} from created s) as source`,
  );
  projectsService.requireRole(row?.role, "editor");
  if (!row?.source) throw new Error("source insert returned nothing");
  return row.source;
}

/** A project's sources (viewer+), newest first. */
export async function listSources({
  db,
  userId,
  projectId,
  pagination,
}: SourceCall & { pagination: Pagination }): Promise<Page<Source>> {
  return projectsService.listInProject<Source>({
    db,
    userId,
    projectId,
    needed: "viewer",
    pagination,
    listed: sql`select s.created_at, s.id, ${sourceJson("s")} as item,
        api_time(s.created_at) as sort_at
      from sources s
      where s.project_id = ${projectId} and ${createdBefore("s", pagination.cursor)}
      order by s.created_at desc, s.id desc
      limit ${pagination.limit + 1}`,
  });
}

/** One source of a project (viewer+). */
export async function getSource({
  db,
  userId,
  projectId,
  sourceId,
}: SourceCall & { sourceId: string }): Promise<Source> {
  const [row] = await selectRows<{ role: ProjectRole | null; source: Source | null }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role)
        select (select role from access) as role,
               (select ${sourceJson("s")} from sources s
                where s.id = ${sourceId} and s.project_id = ${projectId}
                  and (select role from access) is not null) as source`,
  );
  projectsService.requireRole(row?.role, "viewer");
  if (!row?.source) throw new SourceNotFound();
  return row.source;
}

/**
 * Starts a new sync of a source (editor+) in one statement and returns the source with what to
 * send (`discovery.sendSyncs`). A source already discovering goes on with its sync.
 */
export async function syncSource({
  db,
  userId,
  projectId,
  sourceId,
}: SourceCall & { sourceId: string }): Promise<{ source: Source; syncs: StartedSyncs }> {
  const [row] = await selectRows<
    { role: ProjectRole | null; source: Source | null } & StartedSyncs
  >(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        ${startSyncCtes(sql`select id from sources where id = ${sourceId}
          and project_id = ${projectId}
          and (select role from access) in ${projectsService.rolesAtLeast("editor")}`)}
        select (select role from access) as role, ${syncsStarted},
               coalesce((select ${sourceJson("s")} from started s),
                        (select ${sourceJson("s")} from sources s
                         where s.id = ${sourceId} and s.project_id = ${projectId}
                           and (select role from access) in ${projectsService.rolesAtLeast("editor")}))
                 as source`,
  );
  projectsService.requireRole(row?.role, "editor");
  if (!row?.source) throw new SourceNotFound();
  return { source: row.source, syncs: { started: row.started, url_ids: row.url_ids } };
}

/**
 * Deletes a source (editor+). With `deleteUrls`, the urls it added go too (their chunks by
 * cascade, their snapshots through the deletion outbox, as in url deletion); otherwise they
 * stay in the project as urls added by hand (`source_id` null). Returns the deletions to send.
 */
export async function deleteSource({
  db,
  userId,
  projectId,
  sourceId,
  deleteUrls,
}: SourceCall & { sourceId: string; deleteUrls: boolean }): Promise<snapshots.Deletion[]> {
  const [row] = await selectRows<{
    role: ProjectRole | null;
    deleted: boolean;
    deletions: snapshots.Deletion[];
  }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        target as (
          select id from sources where id = ${sourceId} and project_id = ${projectId}
            and (select role from access) in ${projectsService.rolesAtLeast("editor")}
        ),
        removed_urls as (
          delete from urls where source_id = (select id from target) and ${deleteUrls}::boolean
          returning id
        ),
        scheduled as (${snapshots.scheduleDeletions(
          sql`select ${snapshots.urlPrefixSql(sql`${projectId}::text`, sql`id::text`)}
              from removed_urls`,
        )}),
        removed as (delete from sources where id = (select id from target) returning id)
        select (select role from access) as role, exists (select 1 from removed) as deleted,
               ${snapshots.deletionsJson("scheduled")} as deletions`,
  );
  projectsService.requireRole(row?.role, "editor");
  if (!row?.deleted) throw new SourceNotFound();
  return row.deletions;
}
