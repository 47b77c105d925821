/**
 * Keyword, semantic and hybrid search over a project's chunks, each one SQL statement that also
 * authorizes the caller (a project role, or a public link's token), so a search is one round trip.
 */
import * as authUtils from "../auth/utils";
import { currentChunk } from "../chunks/current";
import * as chunksService from "../chunks/service";
import type { Config, Env } from "../config";
import { type Database, type SQL, selectRows, sql, transaction } from "../database";
import type { ProjectRole } from "../projects/constants";
import * as projectsService from "../projects/service";
import { SharedLinkNotFound } from "../shares/exceptions";
import * as sharesService from "../shares/service";
import { toVectorLiteral } from "../vectorization/embedders";
import * as vectorizationService from "../vectorization/service";
import {
  BM25_B,
  BM25_K1,
  HEADLINE_OPTIONS,
  HNSW_EF_SEARCH,
  HYBRID_CANDIDATES,
  RRF_K,
  RRF_WEIGHTS,
} from "./constants";
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
 * Splits a websearch-syntax query into the text whose words are scored (any term may match, they
 * are OR-ed) and the constraints every result must meet: `"quoted phrases"` and `-excluded`
 * words or phrases, kept in websearch syntax for `websearch_to_tsquery`. `or` needs nothing:
 * terms are OR-ed anyway, and it is an English stop word.
 *
 * @example
 * keywordQuery('rotate "api keys" -loaf') // { terms: 'rotate  api keys ', required: '"api keys" -loaf' }
 */
export function keywordQuery(query: string): { terms: string; required: string | null } {
  const required: string[] = [];
  const terms = query.replace(
    /(^|\s)(-?)("[^"]*(?:"|$)|[^\s"]+)/g,
    (_, space: string, minus: string, word: string) => {
      if (minus) {
        required.push(`-${word}`);
        return space;
      }
      if (word.startsWith('"')) required.push(word);
      return `${space}${word.replaceAll('"', " ")}`;
    },
  );
  return { terms, required: required.length > 0 ? required.join(" ") : null };
}

/**
 * `terms`: the query's distinct lexemes after the `english` configuration's stemming and stop
 * words, and `any_term`, the tsquery matching any of them (`'a' | 'b'`, each lexeme quoted so
 * no character of it is read as tsquery syntax). Both null when no lexeme is left.
 */
function termsCte(terms: string): SQL {
  return sql`terms as (
      select array_agg(lexeme) as lexemes,
        string_agg('''' || replace(replace(lexeme, chr(92), chr(92) || chr(92)), '''', '''''') || '''',
          ' | ')::tsquery
          as any_term
      from unnest(to_tsvector('english', ${terms}::text))
    )`;
}

/**
 * Okapi BM25 over the project's chunks matching any query term, in SQL. Candidates come from the
 * GIN index (`tsv @@ 'a' | 'b'`); a candidate's term frequencies come from its tsvector cut down
 * to the query's lexemes (`setweight` marks them, `ts_filter` keeps them), so only matched terms
 * are unnested. Document frequencies are counted over the same candidates (every chunk holding a
 * term is one of them) before url_ids, phrases and exclusions narrow what is scored, so idf is
 * the project's. Chunk length is `token_count`, against the project's average. A term the query
 * repeats counts that many times (Okapi's query-term factor with k3 → ∞, as Lucene sums
 * repeated clauses), so a long question's recurring word outweighs a passing one. `corpus` is
 * materialized: inlined, the planner may re-count the project for every hit.
 */
function bm25(query: string, urlScope: SQL, limit: number): SQL {
  const { terms, required } = keywordQuery(query);
  const mustMatch = sql`websearch_to_tsquery('english', ${required}::text)`;
  return sql`${termsCte(terms)},
    matching as (
      select c.id, c.token_count, c.tsv,
        ${urlScope}
          and (${required}::text is null or numnode(${mustMatch}) = 0 or c.tsv @@ ${mustMatch})
          as scored
      from chunks c
      where c.project_id = (select project_id from access) and c.tsv @@ (select any_term from terms)
        and ${currentChunk("c")}
    ),
    hits as materialized (
      select m.id, m.token_count, m.scored, t.lexeme, array_length(t.positions, 1) as tf
      from matching m,
        unnest(ts_filter(setweight(m.tsv, 'A', (select lexemes from terms)), '{a}')) t
    ),
    df as materialized (
      select d.lexeme, d.df, array_length(q.positions, 1) as qtf
      from (select lexeme, count(*) as df from hits group by lexeme) d
        join unnest(to_tsvector('english', ${terms}::text)) q using (lexeme)
    ),
    corpus as materialized (
      select count(*)::float8 as n, greatest(avg(c.token_count), 1)::float8 as avgdl
      from chunks c where c.project_id = (select project_id from access) and ${currentChunk("c")}
    ),
    keyword as (
      select h.id, sum(
          d.qtf * ln(1 + (k.n - d.df + 0.5) / (d.df + 0.5)) * h.tf * ${BM25_K1 + 1}::float8
          / (h.tf + ${BM25_K1}::float8 * (1 - ${BM25_B}::float8
                                          + ${BM25_B}::float8 * h.token_count / k.avgdl))
        )::float8 as score
      from hits h join df d using (lexeme) cross join corpus k
      where h.scored
      group by h.id
      order by score desc, h.id
      limit ${limit}
    )`;
}

/** `<list>_ranked`: the list's ids and scores with their 1-based rank, best first. */
function ranked(list: "keyword" | "semantic"): SQL {
  return sql.raw(`${list}_ranked as (
      select id, score, row_number() over (order by score desc, id) as rank from ${list}
    )`);
}

/** An empty `<list>_ranked`, for the mode that does not run that ranker. */
function unranked(list: "keyword" | "semantic"): SQL {
  return sql.raw(`${list}_ranked as (
      select null::uuid as id, null::float8 as score, null::bigint as rank where false
    )`);
}

/**
 * The one search statement. The `keyword` (BM25) and `semantic` (cosine) CTEs rank candidates
 * for the project in `access`; `fused` joins the two lists by chunk and scores by mode; `top`
 * applies `min_score` and `top_k`; highlights are computed for the final rows only, since
 * `ts_headline` re-parses the text.
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
  const urlIds = input.url_ids ? `{${input.url_ids.join(",")}}` : null;
  const urlScope = sql`(${urlIds}::uuid[] is null or c.url_id = any(${urlIds}::uuid[]))`;
  const limit = mode === "hybrid" ? Math.max(HYBRID_CANDIDATES, topK) : topK;
  // Materialized and re-sorted by `ranked`: with relaxed_order the index may return neighbours
  // slightly out of order, as pgvector's documentation warns.
  const semantic = sql`semantic as materialized (
      select c.id, (1 - (c.embedding <=> ${vector}::vector))::float8 as score
      from chunks c
      where c.project_id = (select project_id from access) and ${urlScope}
        and c.embedding_model = ${model} and ${currentChunk("c")}
      order by c.embedding <=> ${vector}::vector
      limit ${limit}
    )`;
  const lists = {
    keyword: sql`${bm25(query, urlScope, limit)}, ${ranked("keyword")}, ${unranked("semantic")}`,
    semantic: sql`${termsCte(keywordQuery(query).terms)}, ${semantic}, ${unranked("keyword")},
      ${ranked("semantic")}`,
    hybrid: sql`${bm25(query, urlScope, limit)}, ${semantic}, ${ranked("keyword")},
      ${ranked("semantic")}`,
  }[mode];
  const fusedScore = sql`coalesce(${RRF_WEIGHTS.keyword}::float8 / (${RRF_K} + k.rank), 0)
    + coalesce(${RRF_WEIGHTS.semantic}::float8 / (${RRF_K} + s.rank), 0)`;
  const score = { keyword: sql`k.score`, semantic: sql`s.score`, hybrid: fusedScore }[mode];
  // Escaped first: the highlight is HTML (its <b> marks), so page text must not become markup.
  const escaped = sql`replace(replace(replace(c.text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
  // Every query term is marked; a query of stop words only gets the leading excerpt.
  const marked = sql`coalesce((select any_term from terms), ''::tsquery)`;
  return sql`with access as (${access}), ${lists},
    fused as (
      select coalesce(k.id, s.id) as id, ${score} as score,
        ${mode === "hybrid" ? score : sql`null::float8`} as fused_score,
        k.score as keyword_score, s.score as semantic_score,
        k.rank as keyword_rank, s.rank as semantic_rank
      from keyword_ranked k full join semantic_ranked s on s.id = k.id
    ),
    top as (
      select * from fused
      where ${input.min_score ?? null}::float8 is null or score >= ${input.min_score ?? null}::float8
      order by score desc, id
      limit ${topK}
    )
    select (select role from access) as role,
      coalesce((select json_agg(json_build_object(
          'chunk_id', c.id, 'score', t.score,
          'scores', json_build_object('keyword', t.keyword_score,
            'semantic', t.semantic_score, 'fused', t.fused_score),
          'ranks', json_build_object('keyword', t.keyword_rank, 'semantic', t.semantic_rank),
          'text', c.text, 'highlight', ts_headline('english', ${escaped}, ${marked}, ${HEADLINE_OPTIONS}),
          'heading_path', c.heading_path, 'position', c.position,
          'url', ${chunksService.urlRefJson("u")})
          order by t.score desc, t.id)
        from top t join chunks c on c.id = t.id join urls u on u.id = c.url_id), '[]'::json)
        as results`;
}
