// Retrieval quality of the three search modes on the CISI test collection, through the real
// Worker (`wrangler dev` on a fresh local stack): every document served as a page by a local
// server, ingested through the API, every judged query run in each mode. Prints nDCG@10, MAP@100
// and recall@50 per mode, on the tuning half (odd query ids) and the check half (even ids), next
// to an in-process BM25 (MiniSearch + Porter stemmer) over the same text in the same run, plus
// p50/p95 search latency, and a fusion sweep tuned on the tuning half only.
// Run: npm run bench:retrieval [-- collection-dir]

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevServer } from "../scripts/dev-server";
import { HYBRID_CANDIDATES, RRF_K, RRF_WEIGHTS, SEARCH_QUERY_MAX } from "../src/search/constants";
import { bm25Baseline } from "./lib/retrieval-baseline";
import { type Collection, loadCisi } from "./lib/retrieval-collection";
import { type Ranking, type Scores, scoreRuns } from "./lib/retrieval-metrics";
import { recordSummary } from "./lib/summary";
import { percentile } from "./lib/vector-stats";

const PORT = Number(process.env.RETRIEVAL_BENCH_PORT ?? 8796);
const DIR = process.argv[2] ?? join(import.meta.dirname, "../../shared/bench-data/retrieval/cisi");
const MODES = ["keyword", "semantic", "hybrid"] as const;
type Mode = (typeof MODES)[number];
const DEPTH = 100;

const collection: Collection = loadCisi(DIR);
// A few CISI queries are longer than the API accepts: cut at the last word that fits, for the
// baseline too.
const judged = collection.queries
  .filter((q) => (collection.relevant.get(q.id)?.size ?? 0) > 0)
  .map((q) => ({ ...q, text: q.text.slice(0, SEARCH_QUERY_MAX + 1).replace(/\s+\S*$/, "") }));
const halves = {
  tuning: judged.filter((q) => q.id % 2 === 1),
  check: judged.filter((q) => q.id % 2 === 0),
};
console.log(
  `CISI: ${collection.docs.length} documents, ${judged.length} judged queries (tuning half ${halves.tuning.length} odd ids, check half ${halves.check.length} even ids)\n`,
);

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const byPath = new Map(collection.docs.map((d) => [`/doc/${d.id}`, d]));
const site = createServer((req, res) => {
  const doc = byPath.get(req.url ?? "");
  if (!doc) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const paragraphs = doc.text
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join("");
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.end(
    `<!doctype html><html><head><title>${escapeHtml(doc.title)}</title></head><body><main><h1>${escapeHtml(doc.title)}</h1>${paragraphs}</main></body></html>`,
  );
});
await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

const dataDir = mkdtempSync(join(tmpdir(), "linkbase-retrieval-"));
const server = await startDevServer({
  port: PORT,
  dataDir,
  dbPort: 0,
  s3Port: 0,
  vars: { FETCH_ALLOW_HOSTS: new URL(siteUrl).host },
});

interface Hit {
  chunk_id: string;
  score: number;
  url: { url: string };
}

/** Viewers the searches rotate over; with the owner that is 9 registrations, under auth's 10 a minute. */
const SEARCHERS = 8;

async function api<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request<T>(method, path, body, token);
    } catch (error) {
      // `wrangler dev` answers 503 when its runtime restarts under load; the request is safe to repeat.
      if (attempt >= 3 || !String(error).includes(": 503 ")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function request<T>(method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      "Content-Type": "application/json",
      "CF-Connecting-IP": "10.78.0.1",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The document a result's url serves. */
const docId = (hit: Hit) => Number(new URL(hit.url.url).pathname.split("/").pop());

/** Distinct documents in result order: a document's first chunk decides its rank. */
function documents(hits: { doc: number }[]): number[] {
  return [...new Set(hits.map((h) => h.doc))];
}

try {
  const { access_token: token } = await api<{ access_token: string }>("POST", "/v1/auth/register", {
    email: `retrieval-${Date.now()}@example.com`,
    password: "correct horse battery",
  });
  const project = await api<{ id: string }>("POST", "/v1/projects", { name: "cisi" }, token);
  const p = `/v1/projects/${project.id}`;
  // Searches rotate over viewers so the run stays inside each caller's search and embedding
  // rate limits (30 embedding searches per user a minute) without waiting.
  const searchers: string[] = [];
  for (let i = 0; i < SEARCHERS; i++) {
    const email = `retrieval-${Date.now()}-viewer${i}@example.com`;
    const viewer = await api<{ access_token: string }>("POST", "/v1/auth/register", {
      email,
      password: "correct horse battery",
    });
    await api("POST", `${p}/shares`, { email, role: "viewer" }, token);
    searchers.push(viewer.access_token);
  }
  let searches = 0;

  const started = performance.now();
  const urls = collection.docs.map((d) => `${siteUrl}/doc/${d.id}`);
  for (let i = 0; i < urls.length; i += 100) {
    await api("POST", `${p}/urls`, { urls: urls.slice(i, i + 100) }, token);
  }
  for (;;) {
    const { counts } = await api<{
      counts: { urls: number; urls_ready: number; urls_failed: number; chunks: number };
    }>("GET", p, undefined, token);
    if (counts.urls_ready + counts.urls_failed >= urls.length) {
      console.log(
        `ingested through the API: ${counts.urls_ready} ready, ${counts.urls_failed} failed, ${counts.chunks} chunks in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
      );
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }

  // Every judged query in each mode, at the depth MAP@100 needs.
  const runs = new Map<Mode, Map<number, Ranking>>();
  const lists = new Map<Mode, Map<number, Hit[]>>();
  const latency = new Map<Mode, { wall: number[]; took: number[] }>();
  for (const mode of MODES) {
    const ranking = new Map<number, Ranking>();
    const raw = new Map<number, Hit[]>();
    const times = { wall: [] as number[], took: [] as number[] };
    for (const q of judged) {
      const t0 = performance.now();
      const body = await api<{ results: Hit[]; took_ms: number }>(
        "POST",
        `${p}/search`,
        { query: q.text, mode, top_k: DEPTH },
        searchers[searches++ % SEARCHERS],
      );
      times.wall.push(performance.now() - t0);
      times.took.push(body.took_ms);
      raw.set(q.id, body.results);
      ranking.set(q.id, documents(body.results.map((h) => ({ doc: docId(h) }))));
    }
    console.log(`${mode}: ${judged.length} queries run`);
    runs.set(mode, ranking);
    lists.set(mode, raw);
    latency.set(mode, times);
  }
  const baseline = bm25Baseline(collection.docs);
  const baselineRun = new Map(judged.map((q) => [q.id, baseline.search(q.text, DEPTH)]));

  const fmt = (s: Scores) =>
    `${s.ndcg10.toFixed(3)} | ${s.map100.toFixed(3)} | ${s.recall50.toFixed(3)}`;
  const base = {
    tuning: scoreRuns(baselineRun, halves.tuning, collection.relevant),
    check: scoreRuns(baselineRun, halves.check, collection.relevant),
    all: scoreRuns(baselineRun, judged, collection.relevant),
  };
  console.log(
    "| run | half | nDCG@10 | MAP@100 | recall@50 | nDCG@10 ÷ BM25 baseline | p50 / p95 ms (client) | p50 / p95 took_ms |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  const summary: Record<string, Scores> = {};
  for (const mode of MODES) {
    const run = runs.get(mode) as Map<number, Ranking>;
    const times = latency.get(mode) as { wall: number[]; took: number[] };
    for (const half of ["tuning", "check", "all"] as const) {
      const qs = half === "all" ? judged : halves[half];
      const s = scoreRuns(run, qs, collection.relevant);
      if (half === "check") summary[mode] = s;
      const lat =
        half === "all"
          ? `${percentile(times.wall, 50).toFixed(1)} / ${percentile(times.wall, 95).toFixed(1)} | ${percentile(times.took, 50).toFixed(1)} / ${percentile(times.took, 95).toFixed(1)}`
          : " | ";
      console.log(
        `| ${mode} | ${half} | ${fmt(s)} | ${(s.ndcg10 / base[half].ndcg10).toFixed(2)} | ${lat} |`,
      );
    }
  }
  for (const half of ["tuning", "check", "all"] as const) {
    console.log(
      `| BM25 baseline (MiniSearch + Porter) | ${half} | ${fmt(base[half])} | 1.00 |  |  |`,
    );
  }

  // Fusion sweep over the keyword and semantic lists the API returned, cut to the candidate
  // count hybrid fuses; chosen on the tuning half only, then reported on both.
  const candidates = (mode: Mode, id: number) =>
    (lists.get(mode)?.get(id) ?? []).slice(0, HYBRID_CANDIDATES);
  const fuse = (id: number, score: (kw?: [number, number], sem?: [number, number]) => number) => {
    const kw = new Map(candidates("keyword", id).map((h, i) => [h.chunk_id, [i + 1, h.score]]));
    const sem = new Map(candidates("semantic", id).map((h, i) => [h.chunk_id, [i + 1, h.score]]));
    const doc = new Map(
      [...candidates("keyword", id), ...candidates("semantic", id)].map((h) => [
        h.chunk_id,
        docId(h),
      ]),
    );
    const fused = [...doc.keys()]
      .map((chunk) => ({
        chunk,
        score: score(
          kw.get(chunk) as [number, number] | undefined,
          sem.get(chunk) as [number, number] | undefined,
        ),
      }))
      .sort((a, b) => b.score - a.score || (a.chunk < b.chunk ? -1 : 1));
    return documents(fused.map((f) => ({ doc: doc.get(f.chunk) as number })));
  };
  const rrf =
    (k: number, wk: number, ws: number) => (kw?: [number, number], sem?: [number, number]) =>
      (kw ? wk / (k + kw[0]) : 0) + (sem ? ws / (k + sem[0]) : 0);
  const sweep: { name: string; tuning: Scores; check: Scores }[] = [];
  for (const k of [5, 10, 20, 40, 60, 100]) {
    for (const wk of [1, 1.5, 2, 3, 4]) {
      const run = new Map(judged.map((q) => [q.id, fuse(q.id, rrf(k, wk, 1))]));
      sweep.push({
        name: `RRF k=${k} weights keyword ${wk} : semantic 1`,
        tuning: scoreRuns(run, halves.tuning, collection.relevant),
        check: scoreRuns(run, halves.check, collection.relevant),
      });
    }
  }
  sweep.sort((a, b) => b.tuning.ndcg10 - a.tuning.ndcg10);
  console.log("\nFusion sweep (chosen by tuning-half nDCG@10; top 5):");
  console.log("| fusion | tuning nDCG@10 | check nDCG@10 | check MAP@100 |");
  console.log("|---|---|---|---|");
  for (const s of sweep.slice(0, 5)) {
    console.log(
      `| ${s.name} | ${s.tuning.ndcg10.toFixed(3)} | ${s.check.ndcg10.toFixed(3)} | ${s.check.map100.toFixed(3)} |`,
    );
  }
  console.log(
    `In use: RRF k=${RRF_K} weights keyword ${RRF_WEIGHTS.keyword} : semantic ${RRF_WEIGHTS.semantic}, ${HYBRID_CANDIDATES} candidates per list`,
  );

  const check = base.check;
  recordSummary(
    MODES.map((mode) => ({
      benchmark: "retrieval",
      figure: `CISI ${mode} nDCG@10 (check half)`,
      value: (summary[mode]?.ndcg10 ?? 0).toFixed(3),
      baseline: "MiniSearch BM25 + Porter",
      baselineValue: check.ndcg10.toFixed(3),
      ratio: `${((summary[mode]?.ndcg10 ?? 0) / check.ndcg10).toFixed(2)}×`,
    })),
  );
} finally {
  await server.stop();
  site.close();
  rmSync(dataDir, { recursive: true, force: true });
}
