// Search latency and quality per mode through the real Worker (`wrangler dev` on a fresh local
// stack): the bench pages chunked and embedded with the local embedder into one project, a copy
// of them in a second project (so the project filter matters), then N searches per mode. Prints
// p50/p95 of the client-observed time and of took_ms, and hit@1/hit@10 (a result containing the
// queried passage). Run: npx tsx bench/search-latency.ts [pages-dir] [queries=50]

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { parseHTML } from "linkedom";
import { startDevServer } from "../scripts/dev-server";
import { chunkDocument, embeddingInput } from "../src/chunks/chunker";
import type { Block } from "../src/extraction/blocks";
import { toVectorLiteral } from "../src/vectorization/embedders-core";
import { createLocalEmbedder } from "../src/vectorization/embedders-local";
import { loadPages, pagesDirFromArgs } from "./lib/pages";
import { recordSummary } from "./lib/summary";
import { percentile } from "./lib/vector-stats";

const PORT = Number(process.env.SEARCH_BENCH_PORT ?? 8797);
const QUERIES = Number(process.argv[3] ?? 50);
const MODES = ["keyword", "semantic", "hybrid"] as const;
const BLOCK_SELECTOR = "h1,h2,h3,h4,h5,h6,p,li,pre,blockquote,td,th";

const dir = pagesDirFromArgs(process.argv);
if (dir === null) process.exit(0);

/** Leaf text blocks of a reference extraction, in document order. */
function blocksOf(html: string): Block[] {
  const { document } = parseHTML(`<html><body>${html}</body></html>`);
  const blocks: Block[] = [];
  for (const el of document.querySelectorAll(BLOCK_SELECTOR)) {
    if (el.querySelector(BLOCK_SELECTOR)) continue;
    const text = (el.textContent ?? "").replace(/\s+/g, " ").trim();
    if (!text) continue;
    const level = /^H([1-6])$/.exec(el.tagName)?.[1];
    blocks.push(
      level ? { kind: "heading", level: Number(level), text } : { kind: "paragraph", text },
    );
  }
  return blocks;
}

/** Deterministic PRNG (mulberry32), so every run asks the same questions. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Row {
  url: string;
  title: string;
  position: number;
  text: string;
  heading_path: string[];
  token_count: number;
  content_hash: string;
  embedding: string;
}

const embedder = createLocalEmbedder();
const rows: Row[] = [];
for (const page of loadPages(dir)) {
  const meta = JSON.parse(readFileSync(join(dir, page.name, "expected-metadata.json"), "utf8")) as {
    title?: string;
  };
  const title = meta.title ?? page.name;
  const chunks = chunkDocument(
    { title, blocks: blocksOf(page.expected) },
    {
      chunkSize: 1000,
      chunkOverlap: 200,
    },
  );
  const vectors = await embedder.embed(chunks.map((c) => embeddingInput(title, c)));
  for (const [i, c] of chunks.entries()) {
    rows.push({
      url: `https://bench.example/${page.name}`,
      title,
      position: c.position,
      text: c.text,
      heading_path: c.headingPath,
      token_count: c.tokenCount,
      content_hash: `${page.name}-${c.position}`,
      embedding: toVectorLiteral(vectors[i] as number[]),
    });
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "linkbase-search-bench-"));
const server = await startDevServer({ port: PORT, dataDir, dbPort: 0, s3Port: 0 });
try {
  const api = async <T>(method: string, path: string, body: unknown, token?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        "Content-Type": "application/json",
        "CF-Connecting-IP": "10.77.0.1",
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const { access_token: token } = await api<{ access_token: string }>("POST", "/v1/auth/register", {
    email: `bench-${Date.now()}@example.com`,
    password: "correct horse battery",
  });
  const project = await api<{ id: string }>("POST", "/v1/projects", { name: "bench" }, token);
  const noise = await api<{ id: string }>("POST", "/v1/projects", { name: "noise" }, token);

  neonConfig.fetchEndpoint = () => server.stack.db.url;
  const db = neon(server.stack.workerVars.DATABASE_URL as string);
  for (const projectId of [project.id, noise.id]) {
    for (let start = 0; start < rows.length; start += 200) {
      await db.query(
        `with r as (select * from json_to_recordset($2::json) as r(url text, title text,
            position int, text text, heading_path json, token_count int, content_hash text,
            embedding text)),
         u as (insert into urls (project_id, url, normalized_url, status, title)
               select distinct $1::uuid, url, url, 'ready', title from r
               on conflict (project_id, normalized_url) do update set title = excluded.title
               returning id, url)
         insert into chunks (url_id, project_id, position, text, heading_path, token_count,
                             content_hash, embedding, embedding_model)
         select u.id, $1::uuid, r.position, r.text,
                array(select json_array_elements_text(r.heading_path)), r.token_count,
                r.content_hash, r.embedding::vector, $3
         from r join u on u.url = r.url`,
        [projectId, JSON.stringify(rows.slice(start, start + 200)), embedder.model],
      );
    }
  }
  await db.query("analyze chunks");

  // Each query is an 8-word passage from a random chunk of the searched project.
  const next = random(42);
  const questions = Array.from({ length: QUERIES }, () => {
    const words = (rows[Math.floor(next() * rows.length)] as Row).text.split(/\s+/);
    const from = Math.floor(next() * Math.max(1, words.length - 8));
    return words.slice(from, from + 8).join(" ");
  });

  console.log(
    `${rows.length} chunks from ${new Set(rows.map((r) => r.url)).size} pages per project, 2 projects; ${QUERIES} queries per mode\n`,
  );
  console.log(
    "| mode | p50 ms (client) | p95 ms (client) | p50 took_ms | p95 took_ms | hit@1 | hit@10 |",
  );
  console.log("|---|---|---|---|---|---|---|");
  const p50s: Record<string, number> = {};
  for (const mode of MODES) {
    for (const q of questions.slice(0, 5)) {
      await api("POST", `/v1/projects/${project.id}/search`, { query: q, mode }, token);
    }
    const wall: number[] = [];
    const took: number[] = [];
    let hit1 = 0;
    let hit10 = 0;
    for (const q of questions) {
      const started = performance.now();
      const body = await api<{ results: { text: string }[]; took_ms: number }>(
        "POST",
        `/v1/projects/${project.id}/search`,
        { query: q, mode, top_k: 10 },
        token,
      );
      wall.push(performance.now() - started);
      took.push(body.took_ms);
      const norm = (s: string) => s.replace(/\s+/g, " ");
      if (body.results[0] && norm(body.results[0].text).includes(norm(q))) hit1++;
      if (body.results.some((r) => norm(r.text).includes(norm(q)))) hit10++;
    }
    p50s[mode] = percentile(wall, 50);
    console.log(
      `| ${mode} | ${percentile(wall, 50).toFixed(1)} | ${percentile(wall, 95).toFixed(1)} | ${percentile(took, 50).toFixed(1)} | ${percentile(took, 95).toFixed(1)} | ${(hit1 / QUERIES).toFixed(2)} | ${(hit10 / QUERIES).toFixed(2)} |`,
    );
  }
  const keyword = p50s.keyword ?? 1;
  recordSummary(
    ["semantic", "hybrid"].map((mode) => ({
      benchmark: "search-latency",
      figure: `${mode} p50 ms`,
      value: (p50s[mode] ?? 0).toFixed(1),
      baseline: "keyword p50 ms",
      baselineValue: keyword.toFixed(1),
      ratio: `${((p50s[mode] ?? 0) / keyword).toFixed(2)}×`,
    })),
  );
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
