import { type SQL, sql } from "../database";

/**
 * True for a chunk of its url's current generation. A re-ingest stages its chunks under a new
 * generation and switches the url to it in one statement, so every reader of chunks filters
 * with this to see either the old version or the new one, never both or half of one. A `gone`
 * url's chunks are kept (until the url is deleted or comes back) but are current no more.
 *
 * @example
 * sql`select count(*) from chunks c where c.project_id = ${projectId} and ${currentChunk("c")}`
 */
export function currentChunk(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`exists (select 1 from urls cu where cu.id = ${a}.url_id and cu.generation = ${a}.generation
    and cu.status <> 'gone')`;
}
