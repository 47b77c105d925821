import { currentChunk } from "../chunks/current";
import { type Database, type SQL, selectRows, sql, transaction } from "../database";
import { quotaLock } from "../limits/quotas";
import { URL_ERROR_MESSAGE_MAX, UrlErrorCode } from "../urls/constants";
import * as webhooksOutbox from "../webhooks/outbox";

/**
 * The ingest pipeline's SQL. A page is written as a new chunk generation beside the current one,
 * in batches that each stay far below Neon's 10 MiB request limit, then switched to in one small
 * statement; readers filter on the url's generation (`chunksService.currentChunk`), so they see
 * the old version or the new one, never a mix.
 */

export interface IngestTarget {
  projectId: string;
  url: string;
  etag: string | null;
  lastModified: string | null;
  snapshotKey: string | null;
  chunkSize: number;
  chunkOverlap: number;
  /** When this attempt began (database clock). */
  startedAt: string;
}

/** Marks the url `fetching`, counts the attempt, and loads what the fetch needs; null when gone. */
export async function startFetch(db: Database, urlId: string): Promise<IngestTarget | null> {
  const [row] = await selectRows<{ target: IngestTarget }>(
    db,
    sql`update urls u set status = 'fetching', attempts = u.attempts + 1, updated_at = now()
        from projects p
        where u.id = ${urlId} and p.id = u.project_id
        returning json_build_object('projectId', u.project_id, 'url', u.normalized_url,
          'etag', u.etag, 'lastModified', u.last_modified, 'snapshotKey', u.snapshot_key,
          'chunkSize', p.chunk_size, 'chunkOverlap', p.chunk_overlap,
          'startedAt', api_time(now())) as target`,
  );
  return row?.target ?? null;
}

export interface Staging {
  /** The fresh generation this attempt writes its chunks under. */
  generation: number;
  /**
   * Content hashes among those asked about that already have an embedding under the model, in
   * any generation of the url (the current one, or one a failed attempt staged): their vectors
   * are copied inside the database, never recomputed nor sent back and forth.
   */
  embedded: Set<string>;
}

/**
 * Marks the url `processing` and opens a new generation for it. Null when the url is gone.
 *
 * @example
 * const staging = await startProcessing(db, urlId, hashes, "local-hash-384-v1");
 */
export async function startProcessing(
  db: Database,
  urlId: string,
  hashes: string[],
  model: string,
): Promise<Staging | null> {
  const [row] = await selectRows<{ alive: boolean; generation: string; embedded: string[] | null }>(
    db,
    sql`with marked as (
          update urls set status = 'processing', updated_at = now() where id = ${urlId} returning id
        )
        select exists(select 1 from marked) as alive,
               nextval('chunk_generations')::text as generation,
               (select json_agg(distinct c.content_hash) from chunks c
                where c.url_id = ${urlId} and c.embedding_model = ${model}
                  and c.embedding is not null
                  and c.content_hash = any(string_to_array(${hashes.join(",")}, ','))) as embedded`,
  );
  if (!row?.alive) return null;
  return { generation: Number(row.generation), embedded: new Set(row.embedded ?? []) };
}

export interface ChunkRow {
  position: number;
  text: string;
  heading_path: string[];
  token_count: number;
  content_hash: string;
  /** pgvector text (`[0.1,0.2,…]`), or null to copy the url's stored vector of the same hash. */
  embedding: string | null;
}

/**
 * Writes one batch of a staged generation (invisible to readers until {@link switchGeneration})
 * and records progress, so the cron does not take a long page for a stalled one. Returns false
 * when the url was deleted meanwhile. A redelivered batch adds nothing twice.
 */
export async function writeChunkBatch(
  db: Database,
  urlId: string,
  generation: number,
  model: string,
  rows: ChunkRow[],
): Promise<boolean> {
  const [row] = await selectRows<{ alive: boolean }>(
    db,
    sql`with touched as (
          update urls set updated_at = now() where id = ${urlId} returning id, project_id
        ),
        written as (
          insert into chunks (url_id, project_id, generation, position, text, heading_path,
                              token_count, content_hash, embedding, embedding_model)
          select t.id, t.project_id, ${generation}, x.position, x.text, x.heading_path,
                 x.token_count, x.content_hash,
                 coalesce(x.embedding::vector,
                          (select o.embedding from chunks o
                           where o.url_id = t.id and o.content_hash = x.content_hash
                             and o.embedding_model = ${model} and o.embedding is not null
                           limit 1)),
                 ${model}
          from json_to_recordset(${JSON.stringify(rows)}::json) as x(position int, text text,
                 heading_path text[], token_count int, content_hash text, embedding text)
          cross join touched t
          on conflict (url_id, generation, position) do nothing
        )
        select exists(select 1 from touched) as alive`,
  );
  return row?.alive ?? false;
}

/**
 * What the pipeline learned about the page, set on the url when its chunks go live. To record
 * more about a page, add a field here and its column in {@link pageColumns}.
 */
export interface PageResult {
  title: string | null;
  description: string | null;
  language: string | null;
  publishedAt: string | null;
  siteName: string | null;
  /** `{method, text_chars, ratio}` as the url object shows it. */
  extraction: { method: string; text_chars: number; ratio: number };
  httpStatus: number;
  contentType: string;
  contentHash: string;
  bytes: number;
  etag: string | null;
  lastModified: string | null;
  snapshotKey: string;
}

function pageColumns(page: PageResult): SQL {
  return sql`title = ${page.title}, description = ${page.description},
    language = ${page.language}, published_at = ${page.publishedAt}::timestamptz,
    site_name = ${page.siteName}, extraction = ${JSON.stringify(page.extraction)}::jsonb,
    http_status = ${page.httpStatus},
    content_type = ${page.contentType}, content_hash = ${page.contentHash}, bytes = ${page.bytes},
    etag = ${page.etag}, last_modified = ${page.lastModified}, snapshot_key = ${page.snapshotKey}`;
}

/** The columns of a successful ingest: ready, error cleared, stall count reset. */
const succeeded = sql`status = 'ready', fetched_at = now(), error_code = null,
  error_message = null, error_at = null, stalls = 0, updated_at = now()`;

export type SwitchResult = "ready" | "gone" | "superseded" | "incomplete" | "over-quota";

/**
 * Makes a staged generation the url's current one and marks it `ready`, in one small batch,
 * then removes every other generation. The switch happens only if all `count` chunks of the
 * generation are there with a vector. They are not when a twin delivery of the url switched
 * after this attempt began and removed them (`superseded`: the url is fresh already), or when
 * a twin gave up on the url meanwhile (`incomplete`: the caller retries, reusing every vector).
 * Nor when it would take the project's current chunks past `chunkQuota` (`over-quota`: the
 * staged chunks go, the url's current ones stay); the count runs under the quota's lock.
 * The switch records its `url.ready` webhook deliveries in the same statement; their ids come
 * back for the caller to enqueue.
 */
export async function switchGeneration(
  db: Database,
  urlId: string,
  staged: { generation: number; count: number; startedAt: string },
  page: PageResult,
  chunkQuota: number,
): Promise<{ result: SwitchResult; deliveries: string[] }> {
  const { generation, count, startedAt } = staged;
  const projectId = sql`(select project_id from urls where id = ${urlId})`;
  // The project's other current chunks plus this generation's.
  const fits = sql`((select count(*) from chunks c
    where c.project_id = ${projectId} and c.url_id <> ${urlId} and ${currentChunk("c")})
    + ${count} <= ${chunkQuota})`;
  const [, rows] = await transaction(db, [
    quotaLock("chunks_per_project", projectId),
    sql`with staged as (
          select count(*) filter (where embedding is not null) as n from chunks
          where url_id = ${urlId} and generation = ${generation}
        ),
        fitting as (select ${fits} as fits),
        switched as (
          update urls set generation = ${generation}, chunk_count = ${count}, ${pageColumns(page)},
                          ${succeeded}
          where id = ${urlId} and (select n from staged) = ${count}
            and (select fits from fitting)
          returning *
        ),
        events as (${webhooksOutbox.urlEvents("url.ready", sql`switched u`)})
        select exists(select 1 from urls where id = ${urlId}) as alive,
               exists(select 1 from switched) as switched,
               (select n from staged) = ${count} as complete,
               (select fits from fitting) as fits,
               exists(select 1 from urls where id = ${urlId} and status = 'ready'
                        and error_code is null and fetched_at >= ${startedAt}::timestamptz) as fresh,
               ${webhooksOutbox.deliveryIds("events")} as deliveries`,
  ]);
  const [row] = (rows ?? []) as {
    alive: boolean;
    switched: boolean;
    complete: boolean;
    fits: boolean;
    fresh: boolean;
    deliveries: string[];
  }[];
  const outcome = (result: SwitchResult) => ({ result, deliveries: row?.deliveries ?? [] });
  if (!row?.alive) return outcome("gone");
  if (row.switched) {
    await removeStaleGenerations(db, urlId);
    return outcome("ready");
  }
  if (row.fresh) return outcome("superseded");
  if (row.complete && !row.fits) {
    await removeStaleGenerations(db, urlId);
    return outcome("over-quota");
  }
  return outcome("incomplete");
}

/** Deletes the url's chunks of every generation but the current one. */
async function removeStaleGenerations(db: Database, urlId: string): Promise<void> {
  await selectRows(db, staleChunksDeletion(sql`select ${urlId}::uuid`));
}

/** Deletes the non-current chunks of the urls `ids` (a query of url ids) selects. */
function staleChunksDeletion(ids: SQL): SQL {
  return sql`delete from chunks c using urls u
    where u.id in (${ids}) and c.url_id = u.id and c.generation <> u.generation`;
}

/**
 * The page did not change since the last fetch (HTTP 304): the stored chunks stand, and what a
 * dead attempt staged goes.
 */
export async function markNotModified(db: Database, urlId: string): Promise<void> {
  await transaction(db, [
    sql`update urls set ${succeeded} where id = ${urlId}`,
    staleChunksDeletion(sql`select ${urlId}::uuid`),
  ]);
}

/**
 * The status a url ends in when its ingest gives up: `ready` (its previous version still served,
 * the error in `last_error`) when it was ever indexed, else `failed`.
 */
const finalStatus = sql`case when fetched_at is not null then 'ready' else 'failed' end`;

/** `url.failed` deliveries for the rows of `from` (aliased `u`) that ended `failed`. */
function failedEvents(from: SQL): SQL {
  return webhooksOutbox.urlEvents("url.failed", from, sql`u.status = 'failed'`);
}

/**
 * Records a failure. `final`: the url ends `failed`, or stays `ready` with its previous chunks
 * when it had been indexed before; chunks staged by its attempts are removed, and a url that
 * ends `failed` records its `url.failed` webhook deliveries in the same statement. Otherwise it
 * goes back to `queued` with the error as `last_error` until the retry. One round trip; returns
 * the ids of the deliveries for the caller to enqueue.
 */
export async function markFailure(
  db: Database,
  urlId: string,
  failure: { code: string; message: string; status?: number | null; final: boolean },
): Promise<string[]> {
  const status = failure.final ? finalStatus : sql`'queued'`;
  const update = sql`update urls set status = ${status}, error_code = ${failure.code},
      error_message = ${failure.message.slice(0, URL_ERROR_MESSAGE_MAX)}, error_at = now(),
      http_status = coalesce(${failure.status ?? null}::int, http_status), updated_at = now()
    where id = ${urlId}`;
  if (!failure.final) {
    await selectRows(db, update);
    return [];
  }
  const [, rows] = await transaction(db, [
    staleChunksDeletion(sql`select ${urlId}::uuid`),
    sql`with ended as (${update} returning *), events as (${failedEvents(sql`ended u`)})
        select ${webhooksOutbox.deliveryIds("events")} as deliveries`,
  ]);
  return ((rows ?? []) as { deliveries: string[] }[])[0]?.deliveries ?? [];
}

const STALLED_MESSAGE =
  "indexing stopped without finishing (a time or memory limit may have ended it)";

/**
 * Re-queues urls whose ingest stalled: `queued`, `fetching` or `processing` with no progress for
 * `stuckAfterSeconds` (a lost message, a consumer killed mid-write). Each is re-queued at most
 * `maxRequeues` times, then given up with INGEST_TIMEOUT (ending `failed`, or `ready` on its
 * previous version) and its staged chunks removed; one that ends `failed` records its
 * `url.failed` webhook deliveries, which the cron's webhook sweep sends. One statement; returns
 * the re-queued ids.
 */
export async function reapStalledUrls(
  db: Database,
  {
    stuckAfterSeconds,
    maxRequeues,
    limit,
  }: { stuckAfterSeconds: number; maxRequeues: number; limit: number },
): Promise<string[]> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`with stalled as (
          select u.id, u.stalls < ${maxRequeues}::int as again from urls u
          where u.status in ('queued', 'fetching', 'processing')
            and u.updated_at < now() - make_interval(secs => ${stuckAfterSeconds}::int)
          order by u.updated_at
          limit ${limit}
          for update of u skip locked
        ),
        moved as (
          update urls u set
            status = case when s.again then 'queued' else ${finalStatus} end,
            stalls = u.stalls + 1,
            error_code = ${UrlErrorCode.INGEST_TIMEOUT},
            error_message = ${STALLED_MESSAGE},
            error_at = now(), updated_at = now()
          from stalled s where u.id = s.id
          returning u.*, s.again
        ),
        cleaned as (${staleChunksDeletion(sql`select id from moved where not again`)}),
        events as (${failedEvents(sql`moved u`)})
        select id from moved where again`,
  );
  return rows.map((row) => row.id);
}
