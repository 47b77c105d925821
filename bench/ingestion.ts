// Ingestion on the local stack through the real queue (`wrangler dev`: Miniflare's queue, the
// Neon-protocol endpoint over PGlite, the local S3): 1,000 pages of ~20 KB from a local server,
// time until all are ready (pages/s); then single 1 MiB and 5 MiB pages, time to ready, the
// consumer's CPU ms and peak memory. Baseline in the same run: the same pages extracted, split,
// hashed and embedded in one workerd with no database, queue or S3 (the pipeline's overhead).
// Run: npx tsx bench/ingestion.ts [pages=1000]
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { startDevServer } from "../scripts/dev-server";
import { bigPage } from "../test/setup/test-site";
import { apiClient } from "./lib/api";
import { cpuMs, descendantPids, memoryMiB, resetPeakMemory } from "./lib/cpu";
import { recordSummary } from "./lib/summary";
import { startBenchWorker } from "./lib/workerd-extract";

const PAGES = Number(process.argv[2] ?? 1000);
const PAGE_BYTES = 20_000;
const MiB = 1024 * 1024;
// A little under each size, so the 5 MiB page stays within FETCH_MAX_BYTES with its markup.
const LARGE = [1 * MiB - 16_384, 5 * MiB - 16_384];
const PORT = Number(process.env.INGESTION_PORT ?? 8794);
const DEADLINE_MS = 20 * 60_000;

const site = createServer((req, res) => {
  const page = /^\/p\/(\d+)$/.exec(req.url ?? "");
  const big = /^\/big\/(\d+)$/.exec(req.url ?? "");
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  if (page) res.end(bigPage(PAGE_BYTES, Number(page[1])));
  else if (big) res.end(bigPage(Number(big[1]), 1_000_000));
  else res.writeHead(404).end();
});
await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

/** The baseline: extract, chunk, hash and embed in workerd, nothing else. */
const BASELINE_WORKER = `
import { extractHtml } from "./src/extraction/service.ts";
import { chunkDocument, embeddingInput } from "./src/chunks/chunker.ts";
import { sha256Hex } from "./src/auth/utils.ts";
import { createLocalEmbedder } from "./src/vectorization/embedders-local.ts";
import { toVectorLiteral } from "./src/vectorization/embedders-core.ts";
const embedder = createLocalEmbedder();
export default {
  async fetch(request) {
    const pages = await request.json();
    let chunks = 0;
    for (const html of pages) {
      const doc = await extractHtml(html);
      const parts = chunkDocument(doc, { chunkSize: 1000, chunkOverlap: 200 });
      const inputs = parts.map((chunk) => embeddingInput(doc.title, chunk));
      await Promise.all(inputs.map((input) => sha256Hex(input)));
      for (const vector of await embedder.embed(inputs)) toVectorLiteral(vector);
      chunks += parts.length;
    }
    return Response.json({ chunks });
  },
};`;

async function baseline(pages: string[]): Promise<{ ms: number; cpu: number; chunks: number }> {
  const worker = await startBenchWorker(BASELINE_WORKER);
  try {
    const run = async (batch: string[]) => {
      const response = await worker.mf.dispatchFetch("http://bench.local/", {
        method: "POST",
        body: JSON.stringify(batch),
      });
      return ((await response.json()) as { chunks: number }).chunks;
    };
    await run(pages.slice(0, 1)); // warm-up
    const started = performance.now();
    const cpu = worker.clock();
    let chunks = 0;
    for (let i = 0; i < pages.length; i += 100) chunks += await run(pages.slice(i, i + 100));
    return { ms: performance.now() - started, cpu: worker.clock() - cpu, chunks };
  } finally {
    await worker.mf.dispose();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "linkbase-ingestion-"));
const server = await startDevServer({
  port: PORT,
  dataDir,
  dbPort: 0,
  s3Port: 0,
  vars: { FETCH_ALLOW_HOSTS: new URL(siteUrl).host },
  // INGESTION_VERBOSE=1 shows wrangler's output, the consumer's logs included.
  verbose: process.env.INGESTION_VERBOSE === "1",
});
neonConfig.fetchEndpoint = () => server.stack.db.url;
const db = neon(server.stack.workerVars.DATABASE_URL ?? "");

const api = apiClient(server.url);

/** Polls the database until every url of the project is ready or failed. */
async function settled(projectId: string, expected: number) {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    // The database serves the Worker from this process: a poll that loses its connection
    // while the Worker's writes hold the event loop is simply asked again.
    const rows = await db
      .query(
        `select count(*) filter (where status = 'ready')::int as ready,
              count(*) filter (where status = 'failed')::int as failed,
              coalesce(sum(chunk_count), 0)::int as chunks, max(error_code) as error
       from urls where project_id = $1`,
        [projectId],
      )
      .catch(() => []);
    const [row] = rows as {
      ready: number;
      failed: number;
      chunks: number;
      error: string | null;
    }[];
    if (row && row.ready + row.failed >= expected) return row;
    if (Date.now() > deadline) throw new Error(`not settled in time: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
let exitCode = 0;
try {
  const { access_token: token } = await api<{ access_token: string }>(
    "POST",
    "/v1/auth/register",
    undefined,
    { email: `ingest-${Date.now()}@bench.test`, password: "correct horse battery" },
  );
  const workerd = descendantPids("workerd", 4);
  const project = async (name: string) =>
    (await api<{ id: string }>("POST", "/v1/projects", token, { name })).id;

  // 1. Many ~20 KB pages through the queue.
  const many = await project("many pages");
  const urls = Array.from({ length: PAGES }, (_, i) => `${siteUrl}/p/${i}`);
  const cpu0 = cpuMs(workerd);
  const t0 = performance.now();
  for (let i = 0; i < urls.length; i += 100) {
    await api("POST", `/v1/projects/${many}/urls`, token, { urls: urls.slice(i, i + 100) });
  }
  const done = await settled(many, PAGES);
  const pipelineMs = performance.now() - t0;
  const pipelineCpu = cpuMs(workerd) - cpu0;
  const pages = await Promise.all(urls.map(async (u) => (await fetch(u)).text()));
  const base = await baseline(pages);
  const pipelineRate = (PAGES / pipelineMs) * 1000;
  const baseRate = (PAGES / base.ms) * 1000;
  console.log(
    `${PAGES} pages of ~${PAGE_BYTES / 1000} KB: ${done.ready} ready, ${done.failed} failed, ${done.chunks} chunks`,
  );
  console.log(
    `  pipeline (queue, database, S3): ${fmt(pipelineMs / 1000)} s, ${fmt(pipelineRate)} pages/s, workerd CPU ${fmt(pipelineCpu / PAGES)} ms/page`,
  );
  console.log(
    `  baseline (in-process, no database): ${fmt(base.ms / 1000)} s, ${fmt(baseRate)} pages/s, workerd CPU ${fmt(base.cpu / PAGES)} ms/page, ${base.chunks} chunks`,
  );
  console.log(`  overhead: ${fmt(baseRate / pipelineRate)}× the baseline's time`);
  if (done.failed > 0) exitCode = 1;
  const rows = [
    {
      benchmark: "ingestion",
      figure: `${PAGES} pages of ~20 KB through the queue to ready`,
      value: `${fmt(pipelineRate)} pages/s`,
      baseline: "same pages extracted, chunked, embedded in-process, no database",
      baselineValue: `${fmt(baseRate)} pages/s`,
      ratio: `${fmt(baseRate / pipelineRate)}× overhead`,
    },
  ];

  // 2. Single large pages: time to ready, the consumer's CPU and peak memory.
  for (const bytes of LARGE) {
    const one = await project(`one page of ${bytes}`);
    resetPeakMemory(workerd);
    const rss = memoryMiB(workerd, "VmRSS");
    const cpu = cpuMs(workerd);
    const started = performance.now();
    await api("POST", `/v1/projects/${one}/urls`, token, { url: `${siteUrl}/big/${bytes}` });
    const result = await settled(one, 1);
    const ms = performance.now() - started;
    const spent = cpuMs(workerd) - cpu;
    const peak = memoryMiB(workerd, "VmHWM");
    const html = await (await fetch(`${siteUrl}/big/${bytes}`)).text();
    const alone = await baseline([html]);
    const label = `${Math.round(bytes / MiB)} MiB page`;
    console.log(
      `${label}: ${result.ready ? "ready" : `FAILED ${result.error}`}, ${result.chunks} chunks, ${fmt(ms / 1000)} s to ready, workerd CPU ${fmt(spent, 0)} ms, peak RSS ${fmt(peak, 0)} MiB (+${fmt(peak - rss, 0)} MiB over ${fmt(rss, 0)} before)`,
    );
    console.log(
      `  baseline (in-process): ${fmt(alone.ms / 1000)} s, workerd CPU ${fmt(alone.cpu, 0)} ms`,
    );
    if (!result.ready) exitCode = 1;
    rows.push({
      benchmark: "ingestion",
      figure: `${label}: time to ready / consumer CPU / peak RSS growth`,
      value: `${fmt(ms / 1000)} s / ${fmt(spent, 0)} ms / +${fmt(peak - rss, 0)} MiB`,
      baseline: "same page in-process, no database",
      baselineValue: `${fmt(alone.ms / 1000)} s / ${fmt(alone.cpu, 0)} ms`,
      ratio: `${fmt(ms / alone.ms)}× time`,
    });
  }
  recordSummary(rows);
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await server.stop();
  site.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
