// Keyword search latency at 10,000 and 100,000 chunks in one project, through the real Worker
// (`wrangler dev` on a fresh local stack), next to the keyword query Linkbase ran before BM25
// (`websearch_to_tsquery` + `ts_rank_cd`) on the same data in the same run. Chunks are synthetic:
// 80..220 words drawn from CISI's own word frequencies (so document frequencies look like real
// English); queries are CISI's questions. Chunks carry no embeddings: HNSW latency at 100,000
// chunks is `npm run bench:vector`'s.
// Run: npm run bench:search-scale [-- sizes=10000,100000] [queries=30]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { startDevServer } from "../scripts/dev-server";
import { loadCisi } from "./lib/retrieval-collection";
import { recordSummary } from "./lib/summary";
import { percentile } from "./lib/vector-stats";

const PORT = Number(process.env.SEARCH_SCALE_PORT ?? 8795);
const SIZES = (process.argv[2] ?? "10000,100000").split(",").map(Number);
const QUERIES = Number(process.argv[3] ?? 30);
const BATCH = 5_000;
const CHUNKS_PER_URL = 4;
const MODES = ["keyword"] as const;
const CISI = join(import.meta.dirname, "../../shared/bench-data/retrieval/cisi");

const cisi = loadCisi(CISI);
const words = cisi.docs.flatMap((d) => `${d.title} ${d.text}`.split(/\s+/)).filter(Boolean);
const questions = cisi.queries.slice(0, QUERIES).map((q) => q.text);

const BEFORE = {
  // What keyword mode ran before: every term required, ts_rank_cd without idf.
  and: `select c.id, ts_rank_cd(c.tsv, q, 32)::float8 as score
    from chunks c, websearch_to_tsquery('english', $2) q
    where c.project_id = $1 and c.tsv @@ q order by score desc, c.id limit 10`,
  // The same ranking over the candidates BM25 mode scores (any term), for the cost of OR alone.
  or: `select c.id, ts_rank_cd(c.tsv, q, 32)::float8 as score
    from chunks c, (select replace(plainto_tsquery('english', $2)::text, '&', '|')::tsquery as q) x
    where c.project_id = $1 and c.tsv @@ q order by score desc, c.id limit 10`,
};

const dataDir = mkdtempSync(join(tmpdir(), "linkbase-search-scale-"));
const server = await startDevServer({ port: PORT, dataDir, dbPort: 0, s3Port: 0 });
try {
  const api = async <T>(path: string, body: unknown, token?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "CF-Connecting-IP": "10.79.0.1",
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const { access_token: token } = await api<{ access_token: string }>("/v1/auth/register", {
    email: `scale-${Date.now()}@example.com`,
    password: "correct horse battery",
  });
  const project = await api<{ id: string }>("/v1/projects", { name: "scale" }, token);
  neonConfig.fetchEndpoint = () => server.stack.db.url;
  const db = neon(server.stack.workerVars.DATABASE_URL as string);

  const rows: string[] = [];
  const summary: { size: number; mode: string; p50: number }[] = [];
  let loaded = 0;
  for (const size of SIZES) {
    const t0 = performance.now();
    for (; loaded < size; loaded += BATCH) {
      const urls = Math.ceil(Math.min(BATCH, size - loaded) / CHUNKS_PER_URL);
      // Generated in the database: the words drawn from the CISI word list passed once.
      await db.query(
        `with u as (
           insert into urls (project_id, url, normalized_url, status, title)
           select $1::uuid, 'https://scale.example/' || ($2::int + g), 'https://scale.example/' || ($2::int + g),
                  'ready', 'Page ' || g
           from generate_series(1, $3::int) g returning id
         )
         insert into chunks (url_id, project_id, position, text, token_count, content_hash)
         select u.id, $1::uuid, p, t.text, t.n * 4 / 3, md5(t.text)
         from u, generate_series(0, ${CHUNKS_PER_URL - 1}) p,
           lateral (select 80 + floor(random() * 141)::int + 0 * p as n) w,
           lateral (select w.n, array_to_string(array(
               select ($4::text[])[1 + floor(random() * cardinality($4::text[]))::int]
               from generate_series(1, w.n)), ' ') as text) t`,
        [project.id, loaded, urls, words],
      );
    }
    await db.query("analyze chunks");
    const [{ n }] = (await db.query("select count(*)::int as n from chunks where project_id = $1", [
      project.id,
    ])) as [{ n: number }];
    console.log(
      `${n} chunks in the project (loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );

    const timed = async (run: () => Promise<number | undefined>) => {
      const wall: number[] = [];
      const took: number[] = [];
      for (let w = 0; w < 3; w++) await run(); // warm-up
      for (let q = 0; q < questions.length; q++) {
        const t = performance.now();
        const dbMs = await run();
        wall.push(performance.now() - t);
        if (dbMs !== undefined) took.push(dbMs);
      }
      return { wall, took };
    };
    for (const mode of MODES) {
      let i = 0;
      const { wall, took } = await timed(async () => {
        const q = questions[i++ % questions.length];
        const body = await api<{ took_ms: number }>(
          `/v1/projects/${project.id}/search`,
          { query: q, mode, top_k: 10 },
          token,
        );
        return body.took_ms;
      });
      summary.push({ size: n, mode, p50: percentile(took, 50) });
      rows.push(
        `| ${n} | ${mode} (API) | ${percentile(took, 50).toFixed(1)} / ${percentile(took, 95).toFixed(1)} | ${percentile(wall, 50).toFixed(1)} |`,
      );
    }
    for (const [name, statement] of Object.entries(BEFORE)) {
      let i = 0;
      const { wall } = await timed(async () => {
        await db.query(statement, [project.id, questions[i++ % questions.length]]);
        return undefined;
      });
      summary.push({ size: n, mode: `before-${name}`, p50: percentile(wall, 50) });
      rows.push(
        `| ${n} | before: ts_rank_cd, ${name === "and" ? "all terms required (websearch_to_tsquery)" : "any term (OR)"} | ${percentile(wall, 50).toFixed(1)} / ${percentile(wall, 95).toFixed(1)} | — |`,
      );
    }
    let i = 0;
    const { wall: stats } = await timed(async () => {
      i++;
      await db.query(
        "select count(*), avg(token_count) from chunks where project_id = $1 and $2::int >= 0",
        [project.id, i],
      );
      return undefined;
    });
    rows.push(
      `| ${n} | per-query corpus statistics alone (chunk count, average length) | ${percentile(stats, 50).toFixed(1)} / ${percentile(stats, 95).toFixed(1)} | — |`,
    );
  }
  console.log(`\n${questions.length} CISI questions per row, top_k 10\n`);
  console.log("| chunks | query | p50 / p95 ms in the database (took_ms) | p50 ms client |");
  console.log("|---|---|---|---|");
  for (const row of rows) console.log(row);

  const largest = Math.max(...summary.map((s) => s.size));
  const at = (mode: string) => summary.find((s) => s.size === largest && s.mode === mode)?.p50 ?? 0;
  recordSummary(
    MODES.map((mode) => ({
      benchmark: "search-scale",
      figure: `${mode} p50 ms, ${largest} chunks in one project`,
      value: at(mode).toFixed(1),
      baseline: "ts_rank_cd keyword query before BM25 (all terms required)",
      baselineValue: at("before-and").toFixed(1),
      ratio: `${(at(mode) / Math.max(at("before-and"), 0.001)).toFixed(2)}×`,
    })),
  );
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
