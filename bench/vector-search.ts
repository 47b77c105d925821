// pgvector HNSW vs exact search on PGlite (latency p50/p95, speedup, recall@10); run: npx tsx bench/vector-search.ts [chunks=100000] [queries=100] [texts|latent]
// 100k chunks take ≈3 min on 2 cores (HNSW build ≈2 min of it); pass 10000 for a quick run.

import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
// `embedders-core`, not `embedders.ts`: that one pulls in the Worker's config (Workers-only types).
import { toVectorLiteral } from "../src/vectorization/embedders-core";
import { recordSummary } from "./lib/summary";
import { binaryCopyRows } from "./lib/vector-copy";
import {
  type Corpus,
  createCorpus,
  PROJECTS,
  pickProjectTopic,
  TOPICS_PER_PROJECT,
} from "./lib/vector-corpus";
import { createVectorSource, type VectorSource } from "./lib/vector-data";
import { meanRecall, ms, percentile, similarityRatio } from "./lib/vector-stats";

const CHUNKS = Number(process.argv[2] ?? 100_000);
const QUERIES = Number(process.argv[3] ?? 100);
const DATA = parseData(process.argv[4] ?? "texts");
const BATCH = 5_000;
const K = 10;

interface Query {
  literal: string;
  project: number;
}

interface Mode {
  name: string;
  settings: string[];
  sql: string;
}

const UNFILTERED = "SELECT id, embedding <=> $1::vector AS d FROM chunks ORDER BY d LIMIT 10";
// relaxed_order may return rows slightly out of order; re-sorting a materialized top-k is the
// pattern pgvector documents for it. `project_id + 0` hides the btree on project_id, which the
// planner otherwise prefers at this selectivity, so that the HNSW path itself is measured.
const filtered = (column: string) => `WITH r AS MATERIALIZED (
  SELECT id, embedding <=> $1::vector AS d FROM chunks WHERE ${column} = $2 ORDER BY d LIMIT 10
) SELECT id, d FROM r ORDER BY d`;
const FILTERED = filtered("project_id");
const FILTERED_HNSW = filtered("project_id + 0");

const EXACT = ["SET enable_indexscan = off"];
const HNSW = ["SET enable_seqscan = off", "SET enable_bitmapscan = off"];
const ef = (n: number) => `SET hnsw.ef_search = ${n}`;
const RELAXED = "SET hnsw.iterative_scan = relaxed_order";

/** The first mode of each group is the exact baseline that the group's recall is measured against. */
const MODES: Mode[] = [
  { name: "unfiltered exact", settings: EXACT, sql: UNFILTERED },
  { name: "unfiltered hnsw ef_search=40", settings: [...HNSW, ef(40)], sql: UNFILTERED },
  { name: "unfiltered hnsw ef_search=100", settings: [...HNSW, ef(100)], sql: UNFILTERED },
  { name: "project-filtered exact", settings: EXACT, sql: FILTERED },
  { name: "project-filtered planner's choice", settings: [ef(40), RELAXED], sql: FILTERED },
  {
    name: "project-filtered hnsw ef_search=40 relaxed",
    settings: [...HNSW, ef(40), RELAXED],
    sql: FILTERED_HNSW,
  },
  {
    name: "project-filtered hnsw ef_search=100 relaxed",
    settings: [...HNSW, ef(100), RELAXED],
    sql: FILTERED_HNSW,
  },
];

function parseData(value: string): "texts" | "latent" {
  if (value === "texts" || value === "latent") return value;
  throw new Error(`data must be texts or latent, not ${value}`);
}

const now = () => performance.now();
const seconds = (t0: number) => `${((now() - t0) / 1000).toFixed(1)} s`;

async function load(db: PGlite, corpus: Corpus, source: VectorSource): Promise<Query[]> {
  let vectorMs = 0;
  let copyMs = 0;
  for (let start = 0; start < CHUNKS; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, CHUNKS - start) }, () =>
      pickProjectTopic(corpus),
    );
    let t0 = now();
    const vectors = await source.chunks(rows.map((r) => r.topic));
    vectorMs += now() - t0;
    t0 = now();
    const blob = binaryCopyRows(
      rows.map((r, i) => ({ project: r.project, vector: vectors[i] ?? [] })),
    );
    const copy = "COPY chunks (project_id, embedding) FROM '/dev/blob' WITH (FORMAT binary)";
    await db.query(copy, [], { blob });
    copyMs += now() - t0;
    if (start === 0) await checkRoundTrip(db, vectors[0] ?? []);
  }
  const rate = (count: number, elapsed: number) => Math.round(count / (elapsed / 1000));
  console.log(
    `${source.work}: ${CHUNKS} vectors in ${(vectorMs / 1000).toFixed(1)} s` +
      ` (${rate(CHUNKS, vectorMs)}/s)`,
  );
  console.log(
    `binary COPY ${CHUNKS} rows in batches of ${BATCH}: ${(copyMs / 1000).toFixed(1)} s` +
      ` (${rate(CHUNKS, copyMs)} rows/s)`,
  );
  const specs = Array.from({ length: QUERIES }, () => pickProjectTopic(corpus));
  const vectors = await source.queries(specs.map((s) => s.topic));
  return specs.map((s, i) => ({ literal: toVectorLiteral(vectors[i] ?? []), project: s.project }));
}

/** Guards the hand-written binary encoding: row 1 must read back as the vector sent. */
async function checkRoundTrip(db: PGlite, sent: number[]): Promise<void> {
  const res = await db.query<{ e: string }>("SELECT embedding::text AS e FROM chunks WHERE id = 1");
  const stored = JSON.parse(res.rows[0]?.e ?? "[]") as number[];
  const worst = Math.max(...sent.map((x, i) => Math.abs(x - (stored[i] ?? Number.NaN))));
  if (!(worst < 1e-6)) throw new Error(`binary COPY round trip is off by ${worst}`);
}

async function indexUsed(db: PGlite, sql: string, params: unknown[]): Promise<string> {
  const plan = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params);
  const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
  const index = text.match(/(Bitmap Index Scan|Index Scan|Index Only Scan) (?:using|on) (\w+)/);
  if (index) return `${index[1]} ${index[2]}`;
  return /Seq Scan/.test(text) ? "Seq Scan" : (text.split("\n")[0] ?? "?");
}

async function run(db: PGlite, mode: Mode, queries: Query[]) {
  await db.exec("RESET ALL");
  for (const s of mode.settings) await db.exec(s);
  const sql = mode.sql;
  const params = (q: Query) => (sql === UNFILTERED ? [q.literal] : [q.literal, q.project]);
  const first = queries[0] as Query;
  const plan = await indexUsed(db, sql, params(first));
  for (const q of queries.slice(0, 5)) await db.query(sql, params(q)); // warm caches
  const latencies: number[] = [];
  const ids: number[][] = [];
  const distances: number[][] = [];
  for (const q of queries) {
    const t0 = now();
    const res = await db.query<{ id: number; d: number }>(sql, params(q));
    latencies.push(now() - t0);
    ids.push(res.rows.map((r) => r.id));
    distances.push(res.rows.map((r) => r.d));
  }
  return { plan, latencies, ids, distances };
}

async function main() {
  console.log(`vector search bench: ${CHUNKS} chunks x 384 dims, ${QUERIES} queries`);
  const corpus = createCorpus(42);
  const source = createVectorSource(DATA, corpus);
  console.log(`data (${DATA}): ${source.description}`);
  console.log(`${PROJECTS} projects with ${TOPICS_PER_PROJECT} topics each; k=${K}`);
  const t0 = now();
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec("CREATE EXTENSION vector");
  await db.exec(
    "CREATE TABLE chunks (id serial PRIMARY KEY, project_id int NOT NULL, embedding vector(384))",
  );
  console.log(`PGlite start: ${seconds(t0)}`);
  const queries = await load(db, corpus, source);

  let t1 = now();
  await db.exec("CREATE INDEX chunks_project_idx ON chunks (project_id); ANALYZE chunks");
  console.log(`btree(project_id) + ANALYZE: ${seconds(t1)}`);
  // The graph must fit in maintenance_work_mem or the build falls back to a much slower path.
  await db.exec("SET maintenance_work_mem = '1GB'");
  t1 = now();
  await db.exec(
    "CREATE INDEX chunks_embedding_idx ON chunks USING hnsw (embedding vector_cosine_ops)" +
      " WITH (m = 16, ef_construction = 64)",
  );
  const buildS = (now() - t1) / 1000;
  const sizes = await db.query<{ t: string; i: string }>(
    "SELECT pg_size_pretty(pg_relation_size('chunks')) AS t," +
      " pg_size_pretty(pg_relation_size('chunks_embedding_idx')) AS i",
  );
  console.log(
    `HNSW build (m=16, ef_construction=64): ${buildS.toFixed(1)} s` +
      ` (${Math.round(CHUNKS / buildS)} rows/s); table ${sizes.rows[0]?.t}, index ${sizes.rows[0]?.i}`,
  );

  const summary: Record<string, unknown>[] = [];
  let baseline: Awaited<ReturnType<typeof run>> | undefined;
  for (const mode of MODES) {
    const r = await run(db, mode, queries);
    if (mode.name.endsWith(" exact")) baseline = r;
    const exact = baseline as Awaited<ReturnType<typeof run>>;
    const p50 = percentile(r.latencies, 50);
    const p95 = percentile(r.latencies, 95);
    const speedup = percentile(exact.latencies, 50) / p50;
    const recall = meanRecall(exact.ids, r.ids);
    const similarity = similarityRatio(exact.distances, r.distances);
    console.log(
      `${mode.name.padEnd(44)} p50 ${ms(p50).padStart(9)}  p95 ${ms(p95).padStart(9)}` +
        `  speedup(p50) ${speedup.toFixed(1).padStart(5)}x  recall@${K} ${recall.toFixed(3)}` +
        `  sim ${similarity.toFixed(3)}` +
        `  [${r.plan}]`,
    );
    summary.push({ mode: mode.name, p50, p95, speedup, recall, similarity, plan: r.plan });
    if (!mode.name.endsWith(" exact")) {
      recordSummary([
        {
          benchmark: `vector search (${CHUNKS} chunks, ${DATA})`,
          figure: `${mode.name}: p50, recall@${K}`,
          value: `${ms(p50)}, ${recall.toFixed(3)}`,
          baseline: "exact search",
          baselineValue: ms(percentile(exact.latencies, 50)),
          ratio: `${speedup.toFixed(1)}x`,
        },
      ]);
    }
  }
  console.log(`RESULT ${JSON.stringify({ chunks: CHUNKS, data: DATA, buildS, modes: summary })}`);
  await db.close();
}

await main();
