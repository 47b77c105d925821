import * as z from "zod";
import { type Database, type SQL, selectRows, sql } from "../database";
import { decodeCursor, type Page, type Pagination, toPage } from "../pagination";
import type { ProjectRole } from "../projects/constants";
import * as projectsService from "../projects/service";
import { UrlNotFound } from "../urls/exceptions";
import { ChunkNotFound } from "./exceptions";
import type { Chunk, ChunkWithUrl } from "./schemas";

interface ProjectCall {
  db: Database;
  userId: string;
  projectId: string;
}

/** A chunk list's sort key: its position in the document. */
const PositionCursor = z.tuple([z.number().int().min(0)]);

/**
 * The chunk object built by Postgres from row alias `alias`.
 *
 * @example
 * sql`select ${chunkJson("c")} as chunk from chunks c where c.id = ${id}`
 */
export function chunkJson(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`json_build_object('id', ${a}.id, 'position', ${a}.position, 'text', ${a}.text,
    'heading_path', ${a}.heading_path, 'token_count', ${a}.token_count)`;
}

/**
 * The `{id, url, title}` reference to a url from row alias `alias`.
 *
 * @example
 * sql`select ${urlRefJson("u")} from urls u`
 */
export function urlRefJson(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`json_build_object('id', ${a}.id, 'url', ${a}.url, 'title', ${a}.title)`;
}

/**
 * The chunk `chunkId` of the project `projectId` (an SQL expression) with its url, as the
 * `ChunkWithUrl` JSON; no row when there is none. The caller authorizes.
 *
 * @example
 * sql`select (${chunkWithUrl(chunkId, sql`${projectId}`)}) as chunk`
 */
export function chunkWithUrl(chunkId: string, projectId: SQL): SQL {
  return sql`select ${chunkJson("c")}::jsonb || jsonb_build_object('url', ${urlRefJson("u")})
    from chunks c join urls u on u.id = c.url_id and u.generation = c.generation
    where c.id = ${chunkId} and c.project_id = ${projectId}`;
}

/**
 * A url's chunks in document order (viewer+), keyset-paginated on position. Role, url lookup
 * and page come from one statement.
 *
 * @example
 * const page = await listUrlChunks({ db, userId, projectId, urlId, pagination: { limit: 20 } });
 */
export async function listUrlChunks({
  db,
  userId,
  projectId,
  urlId,
  pagination,
}: ProjectCall & { urlId: string; pagination: Pagination }): Promise<Page<Chunk>> {
  const after = pagination.cursor ? decodeCursor(pagination.cursor, PositionCursor)[0] : -1;
  const [row] = await selectRows<{ role: ProjectRole | null; found: boolean; items: Chunk[] }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        target as (
          select u.id, u.generation from urls u
          where u.id = ${urlId} and u.project_id = ${projectId}
            and (select role from access) is not null
        ),
        page as (
          select c.* from chunks c join target t on c.url_id = t.id and c.generation = t.generation
          where c.position > ${after}::int
          order by c.position
          limit ${pagination.limit + 1}
        )
        select (select role from access) as role, exists(select 1 from target) as found,
               coalesce((select json_agg(${chunkJson("p")} order by p.position) from page p),
                        '[]'::json) as items`,
  );
  projectsService.requireRole(row?.role, "viewer");
  if (!row?.found) throw new UrlNotFound();
  return toPage(row.items, pagination.limit, (chunk) => [chunk.position]);
}

/**
 * One chunk of the project with its url (viewer+), one statement.
 *
 * @example
 * const chunk = await getChunk({ db, userId, projectId, chunkId });
 */
export async function getChunk({
  db,
  userId,
  projectId,
  chunkId,
}: ProjectCall & { chunkId: string }): Promise<ChunkWithUrl> {
  const [row] = await selectRows<{ role: ProjectRole | null; chunk: ChunkWithUrl | null }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role)
        select a.role,
               case when a.role is not null
                 then (${chunkWithUrl(chunkId, sql`${projectId}`)}) end as chunk
        from access a`,
  );
  projectsService.requireRole(row?.role, "viewer");
  if (!row?.chunk) throw new ChunkNotFound();
  return row.chunk;
}
