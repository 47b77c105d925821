import { type Database, selectRows, sql, transaction } from "../database";
import { URL_ERROR_MESSAGE_MAX } from "../urls/constants";

/**
 * The ingest pipeline's SQL: each step is one statement (or one transaction batch), so a page
 * costs three round trips whatever its size.
 */

export interface IngestTarget {
  projectId: string;
  url: string;
  etag: string | null;
  lastModified: string | null;
  snapshotKey: string | null;
  chunkSize: number;
  chunkOverlap: number;
}

/** Marks the url `fetching` and loads what the fetch needs; null when the url is gone. */
export async function startFetch(db: Database, urlId: string): Promise<IngestTarget | null> {
  const [row] = await selectRows<{ target: IngestTarget }>(
    db,
    sql`update urls u set status = 'fetching', updated_at = now()
        from projects p
        where u.id = ${urlId} and p.id = u.project_id
        returning json_build_object('projectId', u.project_id, 'url', u.normalized_url,
          'etag', u.etag, 'lastModified', u.last_modified, 'snapshotKey', u.snapshot_key,
          'chunkSize', p.chunk_size, 'chunkOverlap', p.chunk_overlap) as target`,
  );
  return row?.target ?? null;
}

/**
 * Marks the url `processing` and returns the stored embeddings (pgvector text) of its chunks
 * whose content hash is among `hashes` and whose model is `model`: those need no new embedding.
 * Null when the url is gone.
 */
export async function startProcessing(
  db: Database,
  urlId: string,
  hashes: string[],
  model: string,
): Promise<Map<string, string> | null> {
  const [row] = await selectRows<{ alive: boolean; reusable: Record<string, string> | null }>(
    db,
    sql`with marked as (
          update urls set status = 'processing', updated_at = now() where id = ${urlId} returning id
        )
        select exists(select 1 from marked) as alive,
               (select json_object_agg(c.content_hash, c.embedding::text) from chunks c
                where c.url_id = ${urlId} and c.embedding_model = ${model}
                  and c.embedding is not null
                  and c.content_hash in (select value from json_array_elements_text(${JSON.stringify(hashes)}::json)))
                 as reusable`,
  );
  if (!row?.alive) return null;
  return new Map(Object.entries(row.reusable ?? {}));
}

export interface ChunkRow {
  position: number;
  text: string;
  heading_path: string[];
  token_count: number;
  content_hash: string;
  /** pgvector text, e.g. `[0.1,0.2,…]`. */
  embedding: string;
}

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

/**
 * Replaces the url's chunks and marks it `ready`, in one transaction batch: readers see the old
 * chunks or the new ones, never a mix, and a redelivered message replaces rather than adds.
 * Returns false when the url was deleted meanwhile (nothing is written then).
 */
export async function writeChunks(
  db: Database,
  urlId: string,
  model: string,
  chunks: ChunkRow[],
  page: PageResult,
): Promise<boolean> {
  const [, , , updated] = await transaction(db, [
    // Two deliveries of one url writing at once queue up here instead of colliding on
    // (url_id, position); each statement after it sees what the other committed.
    sql`select pg_advisory_xact_lock(hashtextextended(${urlId}::text, 0))`,
    sql`delete from chunks where url_id = ${urlId}`,
    sql`insert into chunks (url_id, project_id, position, text, heading_path, token_count,
                            content_hash, embedding, embedding_model)
        select u.id, u.project_id, x.position, x.text, x.heading_path, x.token_count,
               x.content_hash, x.embedding::vector, ${model}
        from json_to_recordset(${JSON.stringify(chunks)}::json) as x(position int, text text,
               heading_path text[], token_count int, content_hash text, embedding text)
        join urls u on u.id = ${urlId}`,
    sql`update urls set status = 'ready', title = ${page.title}, description = ${page.description},
          language = ${page.language}, published_at = ${page.publishedAt}::timestamptz,
          site_name = ${page.siteName}, extraction = ${JSON.stringify(page.extraction)}::jsonb,
          http_status = ${page.httpStatus},
          content_type = ${page.contentType}, content_hash = ${page.contentHash},
          bytes = ${page.bytes}, etag = ${page.etag}, last_modified = ${page.lastModified},
          snapshot_key = ${page.snapshotKey}, chunk_count = ${chunks.length},
          fetched_at = now(), error_code = null, error_message = null, updated_at = now()
        where id = ${urlId} returning id`,
  ]);
  return (updated?.length ?? 0) > 0;
}

/** The page did not change since the last fetch (HTTP 304): the stored chunks stand. */
export async function markNotModified(db: Database, urlId: string): Promise<void> {
  await selectRows(
    db,
    sql`update urls set status = 'ready', fetched_at = now(), error_code = null,
          error_message = null, updated_at = now()
        where id = ${urlId}`,
  );
}

/**
 * Records a failure: `final` marks the url `failed`; otherwise it goes back to `queued` with the
 * error kept as the reason of the retry to come. Chunks of an earlier success stay searchable.
 */
export async function markFailure(
  db: Database,
  urlId: string,
  failure: { code: string; message: string; status?: number | null; final: boolean },
): Promise<void> {
  const status = failure.final ? "failed" : "queued";
  await selectRows(
    db,
    sql`update urls set status = ${status}, error_code = ${failure.code},
          error_message = ${failure.message.slice(0, URL_ERROR_MESSAGE_MAX)},
          http_status = coalesce(${failure.status ?? null}::int, http_status), updated_at = now()
        where id = ${urlId}`,
  );
}
