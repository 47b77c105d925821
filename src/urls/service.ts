import { type Database, type SQL, selectRows, sql } from "../database";
import type { FieldError } from "../exceptions";
import * as snapshots from "../ingestion/snapshots";
import { QuotaExceeded, underQuota } from "../limits/quotas";
import { createdBefore, type Page, type Pagination } from "../pagination";
import type { ProjectRole } from "../projects/constants";
import * as projectsService from "../projects/service";
import { normalizeUrl } from "./address";
import type { ErrorCode, UrlStatus } from "./constants";
import { SnapshotNotFound, UrlNotFound, UrlRejected } from "./exceptions";
import type { Url } from "./schemas";

interface UrlCall {
  db: Database;
  userId: string;
  projectId: string;
}

/**
 * The url object built by Postgres from row alias `alias` (a `urls` row).
 *
 * @example
 * sql`select ${urlJson("u")} as url from urls u where u.id = ${urlId}`
 */
export function urlJson(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`json_build_object(
    'id', ${a}.id, 'url', ${a}.url, 'normalized_url', ${a}.normalized_url, 'status', ${a}.status,
    'source_id', ${a}.source_id,
    'title', ${a}.title, 'description', ${a}.description, 'language', ${a}.language,
    'published_at', api_time(${a}.published_at), 'site_name', ${a}.site_name,
    'extraction', ${a}.extraction,
    'error', case when ${a}.status <> 'failed' or ${a}.error_code is null then null
             else json_build_object('code', ${a}.error_code, 'message', coalesce(${a}.error_message, '')) end,
    'attempts', ${a}.attempts,
    'last_error', case when ${a}.error_code is null then null
             else json_build_object('code', ${a}.error_code, 'message', coalesce(${a}.error_message, ''),
                                    'at', api_time(coalesce(${a}.error_at, ${a}.updated_at))) end,
    'http_status', ${a}.http_status, 'content_type', ${a}.content_type,
    'content_hash', ${a}.content_hash, 'bytes', ${a}.bytes, 'chunk_count', ${a}.chunk_count,
    'fetched_at', api_time(${a}.fetched_at), 'created_at', api_time(${a}.created_at),
    'updated_at', api_time(${a}.updated_at))`;
}

export interface ScreenedUrl {
  url: string;
  normalized: string;
}

/**
 * Normalizes every submitted url; any failure rejects the whole request (422 naming each
 * failing `pathOf(index)`). Duplicates after normalization collapse to their first spelling.
 *
 * @example
 * screenUrls(["https://a.example/#x", "https://A.example/"], new Set(), (i) => `body.urls.${i}`);
 * // [{ url: "https://a.example/#x", normalized: "https://a.example/" }]
 */
export function screenUrls(
  inputs: readonly string[],
  allowHosts: ReadonlySet<string>,
  pathOf: (index: number) => string,
): ScreenedUrl[] {
  const errors: FieldError[] = [];
  let code: typeof ErrorCode.URL_INVALID | typeof ErrorCode.URL_NOT_ALLOWED | null = null;
  const unique = new Map<string, ScreenedUrl>();
  inputs.forEach((input, index) => {
    const check = normalizeUrl(input, { allowHosts });
    if (!check.ok) {
      code ??= check.code;
      errors.push({ path: pathOf(index), message: check.message });
    } else if (!unique.has(check.url)) {
      unique.set(check.url, { url: input.trim(), normalized: check.url });
    }
  });
  if (code) throw new UrlRejected(code, errors);
  return [...unique.values()];
}

/**
 * Adds urls to a project (editor+) in one statement: urls already there come back as they are,
 * new ones are inserted `queued`, all or none: when the new ones would take the project past
 * `limit` urls, nothing is added (409 `QUOTA_EXCEEDED`). Returns the items in request order and
 * the ids to enqueue.
 */
export async function addUrls({
  db,
  userId,
  projectId,
  urls,
  limit,
}: UrlCall & { urls: ScreenedUrl[]; limit: number }): Promise<{
  items: Url[];
  createdIds: string[];
}> {
  const input = JSON.stringify(
    urls.map((u, ord) => ({ ord, url: u.url, normalized: u.normalized })),
  );
  const run = () =>
    underQuota<{ role: ProjectRole | null; fits: boolean; items: Url[]; created_ids: string[] }>(
      db,
      "urls_per_project",
      projectId,
      sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
          input as (
            select x.ord, x.url, x.normalized
            from json_to_recordset(${input}::json) as x(ord int, url text, normalized text)
          ),
          room as (
            select (select count(*) from urls where project_id = ${projectId}::uuid)
                   + (select count(*) from input i where not exists (
                        select 1 from urls e
                        where e.project_id = ${projectId}::uuid and e.normalized_url = i.normalized))
                   <= ${limit} as fits
          ),
          inserted as (
            insert into urls (project_id, url, normalized_url)
            select ${projectId}::uuid, i.url, i.normalized from input i
            where (select role from access) in ${projectsService.rolesAtLeast("editor")}
              and (select fits from room)
            order by i.ord
            on conflict (project_id, normalized_url) do nothing
            returning *
          ),
          -- The statement's snapshot shows rows that existed before it, never the ones it inserts.
          found as (
            select i.ord, n.id, ${urlJson("n")} as item, true as created
            from input i join inserted n on n.normalized_url = i.normalized
            union all
            select i.ord, e.id, ${urlJson("e")}, false
            from input i join urls e
              on e.project_id = ${projectId}::uuid and e.normalized_url = i.normalized
            where (select role from access) in ${projectsService.rolesAtLeast("editor")}
          )
          select (select role from access) as role, (select fits from room) as fits,
                 coalesce((select json_agg(f.item order by f.ord) from found f), '[]'::json) as items,
                 coalesce((select json_agg(f.id) from found f where f.created), '[]'::json)
                   as created_ids`,
    );
  let [row] = await run();
  projectsService.requireRole(row?.role, "editor");
  if (!row?.fits) throw new QuotaExceeded("urls_per_project", limit);
  // A concurrent add of the same url committed after our snapshot: neither inserted nor seen.
  // Asking again sees it; this second round trip happens only in that race.
  if (row.items.length < urls.length) [row] = await run();
  return { items: row?.items ?? [], createdIds: row?.created_ids ?? [] };
}

/** A project's urls (viewer+), newest first, optionally only those in one state. */
export async function listUrls({
  db,
  userId,
  projectId,
  status,
  pagination,
}: UrlCall & { status?: UrlStatus; pagination: Pagination }): Promise<Page<Url>> {
  return projectsService.listInProject<Url>({
    db,
    userId,
    projectId,
    needed: "viewer",
    pagination,
    listed: urlsPage(sql`${projectId}::uuid`, status, pagination),
  });
}

/**
 * One page of the urls of `projectId` (an SQL expression), newest first: rows
 * `(created_at, id, item, sort_at)` for `createdAtPage`. The caller authorizes.
 */
export function urlsPage(
  projectId: SQL,
  status: UrlStatus | undefined,
  pagination: Pagination,
): SQL {
  return sql`select u.created_at, u.id, ${urlJson("u")} as item, api_time(u.created_at) as sort_at
    from urls u
    where u.project_id = ${projectId}
      and (${status ?? null}::text is null or u.status = ${status ?? null})
      and ${createdBefore("u", pagination.cursor)}
    order by u.created_at desc, u.id desc
    limit ${pagination.limit + 1}`;
}

/**
 * The url `urlId` of the project `projectId` (an SQL expression) as the API shows it; no row
 * when there is none. The caller authorizes.
 */
export function urlById(urlId: string, projectId: SQL): SQL {
  return sql`select ${urlJson("u")} from urls u where u.id = ${urlId} and u.project_id = ${projectId}`;
}

/** One url of a project (viewer+). */
export async function getUrl({ db, userId, projectId, urlId }: UrlCall & { urlId: string }) {
  const [row] = await selectRows<{ role: ProjectRole | null; url: Url | null }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role)
        select a.role,
               case when a.role is not null
                 then (${urlById(urlId, sql`${projectId}`)}) end as url
        from access a`,
  );
  projectsService.requireRole(row?.role, "viewer");
  if (!row?.url) throw new UrlNotFound();
  return row.url;
}

/**
 * Puts a url back in the queue (editor+): status `queued`, a new round of attempts; the last
 * error stays in `last_error` until the url is indexed again. A url already
 * `queued` or `fetching` is left as it is and the refresh joins that fetch (`requeued: false`,
 * nothing to enqueue): refreshes in a row cannot turn into a burst of fetches of one page.
 * Concurrent refreshes meet on the row lock; the re-checked status lets one through.
 */
export async function refreshUrl({
  db,
  userId,
  projectId,
  urlId,
}: UrlCall & { urlId: string }): Promise<{ url: Url; requeued: boolean }> {
  const [row] = await selectRows<{ role: ProjectRole | null; url: Url | null; requeued: boolean }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        target as (
          select * from urls
          where id = ${urlId} and project_id = ${projectId}
            and (select role from access) in ${projectsService.rolesAtLeast("editor")}
        ),
        updated as (
          update urls set status = 'queued', attempts = 0, stalls = 0, updated_at = now()
          where id = (select id from target) and status not in ('queued', 'fetching')
          returning *
        )
        select (select role from access) as role,
               coalesce((select ${urlJson("u")} from updated u),
                        (select ${urlJson("t")} from target t)) as url,
               exists(select 1 from updated) as requeued`,
  );
  projectsService.requireRole(row?.role, "editor");
  if (!row?.url) throw new UrlNotFound();
  return { url: row.url, requeued: row.requeued };
}

/**
 * Deletes a url and (by cascade) its chunks (editor+), and schedules its snapshots' deletion in
 * the same statement; returns that deletion for the caller to send.
 */
export async function deleteUrl({
  db,
  userId,
  projectId,
  urlId,
}: UrlCall & { urlId: string }): Promise<snapshots.Deletion[]> {
  const prefix = snapshots.urlPrefix(projectId, urlId);
  const [row] = await selectRows<{
    role: ProjectRole | null;
    deleted: boolean;
    deletions: snapshots.Deletion[];
  }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        gone as (
          delete from urls where id = ${urlId} and project_id = ${projectId}
            and (select role from access) in ${projectsService.rolesAtLeast("editor")}
          returning id
        ),
        scheduled as (${snapshots.scheduleDeletions(sql`select ${prefix}::text from gone`)})
        select (select role from access) as role, exists(select 1 from gone) as deleted,
               ${snapshots.deletionsJson("scheduled")} as deletions`,
  );
  projectsService.requireRole(row?.role, "editor");
  if (!row?.deleted) throw new UrlNotFound();
  return row.deletions;
}

/** The storage key of a url's current raw snapshot (viewer+); 404 before the first fetch. */
export async function snapshotKeyOf({
  db,
  userId,
  projectId,
  urlId,
}: UrlCall & { urlId: string }): Promise<string> {
  const [row] = await selectRows<{
    role: ProjectRole | null;
    found: boolean;
    snapshot_key: string | null;
  }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        target as (
          select u.snapshot_key from urls u
          where u.id = ${urlId} and u.project_id = ${projectId}
            and (select role from access) is not null
        )
        select (select role from access) as role, exists(select 1 from target) as found,
               (select snapshot_key from target) as snapshot_key`,
  );
  projectsService.requireRole(row?.role, "viewer");
  if (!row?.found) throw new UrlNotFound();
  if (!row.snapshot_key) throw new SnapshotNotFound();
  return row.snapshot_key;
}
