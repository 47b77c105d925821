// Whole sites on the local stack (`wrangler dev`: Miniflare's queue and cron, the Neon-protocol
// endpoint over PGlite, the local S3): a generated 1,000-page documentation site
// (test/setup/docs-site.ts: nested and gzip sitemaps, robots.txt, redirects, duplicates, a 404)
// brought to ready by a sitemap source and by a crawl source, pages/s and the exact counts.
// Baseline in the same run: the same 1,000 page urls added by hand (`POST …/urls`, 100 per
// request) to a fresh project, time until all are ready.
// Run: npx tsx bench/crawl.ts [docs pages=700] [blog pages=280]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { startDevServer } from "../scripts/dev-server";
import { startDocsSite } from "../test/setup/docs-site";
import { type DocsSiteShape, expectedCounts, MORE } from "../test/setup/docs-site-shape";
import { apiClient } from "./lib/api";
import { recordSummary } from "./lib/summary";

const SHAPE: DocsSiteShape = {
  docs: Number(process.argv[2] ?? 700),
  blog: Number(process.argv[3] ?? 280),
};
const PAGES = SHAPE.docs + SHAPE.blog + MORE;
const PORT = Number(process.env.CRAWL_PORT ?? 8795);
const DEADLINE_MS = 30 * 60_000;

const site = await startDocsSite(SHAPE);
const dataDir = mkdtempSync(join(tmpdir(), "linkbase-crawl-"));
const server = await startDevServer({
  port: PORT,
  dataDir,
  dbPort: 0,
  s3Port: 0,
  vars: { FETCH_ALLOW_HOSTS: new URL(site.url).host },
  verbose: process.env.CRAWL_VERBOSE === "1",
});
neonConfig.fetchEndpoint = () => server.stack.db.url;
const db = neon(server.stack.workerVars.DATABASE_URL ?? "");
const api = apiClient(server.url);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

interface Source {
  id: string;
  status: string;
  counts: Record<string, number> & { ready: number };
}

/** Polls the database until `expected` urls of the project are ready or failed. */
async function urlsSettled(projectId: string, expected: number) {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const rows = (await db
      .query(
        `select count(*) filter (where status in ('ready', 'failed'))::int as done
         from urls where project_id = $1`,
        [projectId],
      )
      .catch(() => [])) as { done: number }[];
    if ((rows[0]?.done ?? 0) >= expected) return;
    if (Date.now() > deadline) throw new Error(`not settled in time: ${JSON.stringify(rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Polls the source until its sync ends. */
async function synced(token: string, projectId: string, sourceId: string): Promise<Source> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const source = await api<Source>(
      "GET",
      `/v1/projects/${projectId}/sources/${sourceId}`,
      token,
    ).catch(() => null);
    if (source && (source.status === "ready" || source.status === "failed")) return source;
    if (Date.now() > deadline) throw new Error(`not synced in time: ${JSON.stringify(source)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

let exitCode = 0;
try {
  const { access_token: token } = await api<{ access_token: string }>(
    "POST",
    "/v1/auth/register",
    undefined,
    { email: `crawl-${Date.now()}@bench.test`, password: "correct horse battery" },
  );
  const project = async (name: string) =>
    (await api<{ id: string }>("POST", "/v1/projects", token, { name })).id;
  const expected = expectedCounts(SHAPE);
  const rows: { figure: string; pagesPerSecond: number; seconds: number }[] = [];

  // Baseline: the article pages added by hand.
  const byHand = await project("by hand");
  const paths = [
    ...Array.from({ length: SHAPE.docs }, (_, i) => `/docs/${i}`),
    ...Array.from({ length: SHAPE.blog }, (_, i) => `/blog/${i}`),
    ...Array.from({ length: MORE }, (_, i) => `/more/${i}`),
  ];
  let started = performance.now();
  for (let i = 0; i < paths.length; i += 100) {
    const urls = paths.slice(i, i + 100).map((path) => `${site.url}${path}`);
    await api("POST", `/v1/projects/${byHand}/urls`, token, { urls });
  }
  await urlsSettled(byHand, PAGES);
  const baseSeconds = (performance.now() - started) / 1000;
  console.log(`baseline: ${PAGES} urls by hand → ready in ${fmt(baseSeconds)} s`);

  for (const type of ["sitemap", "crawl"] as const) {
    await fetch(`${site.url}/_control/reset`, { method: "POST" });
    const projectId = await project(type);
    started = performance.now();
    const created = await api<Source>("POST", `/v1/projects/${projectId}/sources`, token, {
      type,
      url: `${site.url}/`,
      exclude: ["/tags/**"],
      max_depth: 3,
    });
    const source = await synced(token, projectId, created.id);
    const seconds = (performance.now() - started) / 1000;
    const log = (await (await fetch(`${site.url}/_control/log`)).json()) as string[];
    const forbidden = log.filter((path) => /^\/(private|tags)\//.test(path));
    const want = expected[type];
    const got = Object.fromEntries(Object.keys(want).map((key) => [key, source.counts[key]]));
    const exact = JSON.stringify(got) === JSON.stringify(want);
    console.log(
      `${type}: ${source.status} in ${fmt(seconds)} s, ${fmt(source.counts.ready / seconds)} pages/s, ${log.length} requests; counts ${exact ? "exact" : `WRONG ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`}; disallowed or excluded requested: ${forbidden.length}`,
    );
    if (!exact || forbidden.length > 0 || source.status !== "ready") exitCode = 1;
    rows.push({ figure: type, pagesPerSecond: source.counts.ready / seconds, seconds });
  }
  const baseRate = PAGES / baseSeconds;
  console.log(`baseline rate: ${fmt(baseRate)} pages/s`);
  recordSummary(
    rows.map((row) => ({
      benchmark: "crawl",
      figure: `${row.figure} source, ${PAGES}-page site → ready (pages/s)`,
      value: `${fmt(row.pagesPerSecond)} pages/s (${fmt(row.seconds)} s)`,
      baseline: "same pages added by hand, POST …/urls",
      baselineValue: `${fmt(baseRate)} pages/s (${fmt(baseSeconds)} s)`,
      ratio: `${fmt(row.pagesPerSecond / baseRate, 2)}×`,
    })),
  );
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await server.stop();
  await site.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
