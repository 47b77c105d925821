/**
 * Keyword, semantic and hybrid search over a project's chunks, each one SQL statement that also
 * authorizes the caller (a project role, or a public link's token), so a search is one round trip.
 */
import * as authUtils from "../auth/utils";
import * as chunksService from "../chunks/service";
import type { Config, Env } from "../config";
import { type Database, type SQL, selectRows, sql, transaction } from "../database";
import type { ProjectRole } from "../projects/constants";
import * as projectsService from "../projects/service";
import { SharedLinkNotFound } from "../shares/exceptions";
import * as sharesService from "../shares/service";
import { toVectorLiteral } from "../vectorization/embedders";
import * as vectorizationService from "../vectorization/service";
import { HEADLINE_OPTIONS, HNSW_EF_SEARCH, HYBRID_CANDIDATES, RRF_K } from "./constants";
import type { SearchRequest, SearchResponse, SearchResult } from "./schemas";

interface SearchCall {
  db: Database;
  env: Env;
  config: Config;
  input: SearchRequest;
}

/**
 * Searches a project the caller has a role on (viewer+): 404 when it has none.
 *
 * @example
 * const { results } = await searchProject({ db, env, config, userId, projectId,
 *   input: { query: "rotate keys", top_k: 10, mode: "hybrid" } });
 */
export async function searchProject({
  userId,
  projectId,
  ...call
}: SearchCall & { userId: string; projectId: string }): Promise<SearchResponse> {
  const access = sql`select ${projectId}::uuid as project_id, r.role
    from (select ${projectsService.callerRole(projectId, userId)} as role) r where r.role is not null`;
  const { role, response } = await runSearch(call, access);
  projectsService.requireRole(role, "viewer");
  return response;
}

/**
 * Searches the project a public link opens: 404 `SHARED_LINK_NOT_FOUND` when the token is
 * unknown, revoked or expired. The token is resolved inside the search statement.
 *
 * @example
 * const { results } = await searchShared({ db, env, config, token, input });
 */
export async function searchShared({
  token,
  ...call
}: SearchCall & { token: string }): Promise<SearchResponse> {
  const access = sql`select l.project_id, 'viewer'::text as role
    from (select ${sharesService.sharedProjectId(await authUtils.sha256Hex(token))} as project_id) l
    where l.project_id is not null`;
  const { role, response } = await runSearch(call, access);
  if (!role) throw new SharedLinkNotFound();
  return response;
}

/** `access` yields at most one row `(project_id, role)`: none means not visible. */
async function runSearch({ db, env, config, input }: SearchCall, access: SQL) {
  const mode = input.mode;
  // The query is embedded before the statement, so the database sees one request.
  const vector =
    mode === "keyword"
      ? null
      : (await vectorizationService.getEmbedder(env, config).embed([input.query]))[0];
  if (mode !== "keyword" && !vector) throw new Error("the embedder returned no vector");
  const statement = searchStatement({
    access,
    input,
    vector: vector ? toVectorLiteral(vector) : null,
    model: vectorizationService.activeModel(config).model,
  });
  const started = performance.now();
  const rows =
    mode === "keyword"
      ? await selectRows<SearchRow>(db, statement)
      : ((await transaction(db, semanticBatch(statement))).at(-1) as SearchRow[]);
  const took_ms = Math.round((performance.now() - started) * 10) / 10;
  const [row] = rows;
  return { role: row?.role ?? null, response: { results: row?.results ?? [], mode, took_ms } };
}

/**
 * The batch a statement using the HNSW index runs in: session settings ride in the same request
 * (one round trip) and `set local` keeps them to this transaction. Iterative scan lets the index
 * walk continue past `ef_search` candidates when the project filter rejects most of them, instead
 * of returning fewer results than asked for.
 *
 * @example
 * const [, , rows] = await transaction(db, semanticBatch(statement));
 */
export function semanticBatch(statement: SQL): SQL[] {
  return [
    sql`set local hnsw.iterative_scan = relaxed_order`,
    sql.raw(`set local hnsw.ef_search = ${HNSW_EF_SEARCH}`),
    statement,
  ];
}

interface SearchRow {
  role: ProjectRole | null;
  results: SearchResult[];
}

/**
 * The one search statement. `keyword` and `semantic` CTEs produce candidates for the project in
 * `access`; `ranked` scores them by mode; `top` applies `min_score` and `top_k`; highlights are
 * computed for the final rows only, since `ts_headline` re-parses the text.
 */
export function searchStatement({
  access,
  input,
  vector,
  model,
}: {
  access: SQL;
  input: SearchRequest;
  vector: string | null;
  model: string;
}): SQL {
  const { mode, query, top_k: topK } = input;
  const tsquery = sql`websearch_to_tsquery('english', ${query}::text)`;
  const urlIds = input.url_ids ? `{${input.url_ids.join(",")}}` : null;
  const scope = sql`c.project_id = (select project_id from access)
    and (${urlIds}::uuid[] is null or c.url_id = any(${urlIds}::uuid[]))`;
  const limit = mode === "hybrid" ? Math.max(HYBRID_CANDIDATES, topK) : topK;
  const keyword = sql`keyword as (
      select c.id, ts_rank_cd(c.tsv, ${tsquery}, 32)::float8 as score
      from chunks c
      where ${scope} and c.tsv @@ ${tsquery}
      order by score desc, c.id
      limit ${limit}
    )`;
  // Materialized and re-sorted outside: with relaxed_order the index may return neighbours
  // slightly out of order, as pgvector's documentation warns.
  const semantic = sql`semantic as materialized (
      select c.id, c.embedding <=> ${vector}::vector as distance
      from chunks c
      where ${scope} and c.embedding_model = ${model}
      order by distance
      limit ${limit}
    )`;
  const ranked = {
    keyword: sql`${keyword}, ranked as (select id, score from keyword)`,
    semantic: sql`${semantic}, ranked as (select id, (1 - distance)::float8 as score from semantic)`,
    hybrid: sql`${keyword}, ${semantic}, ranked as (
        select id, sum(1.0 / (${RRF_K} + rank))::float8 as score from (
          select id, row_number() over (order by score desc, id) as rank from keyword
          union all
          select id, row_number() over (order by distance, id) as rank from semantic
        ) both_lists group by id
      )`,
  }[mode];
  // Escaped first: the highlight is HTML (its <b> marks), so page text must not become markup.
  const escaped = sql`replace(replace(replace(c.text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
  return sql`with access as (${access}), ${ranked},
    top as (
      select id, score from ranked
      where ${input.min_score ?? null}::float8 is null or score >= ${input.min_score ?? null}::float8
      order by score desc, id
      limit ${topK}
    )
    select (select role from access) as role,
      coalesce((select json_agg(json_build_object(
          'chunk_id', c.id, 'score', t.score, 'text', c.text,
          'highlight', ts_headline('english', ${escaped}, ${tsquery}, ${HEADLINE_OPTIONS}),
          'heading_path', c.heading_path, 'position', c.position, 'url', ${chunksService.urlRefJson("u")})
          order by t.score desc, t.id)
        from top t join chunks c on c.id = t.id join urls u on u.id = c.url_id), '[]'::json)
        as results`;
}
