// Load on `wrangler dev` with autocannon for a bounded time: concurrent reads (project view,
// search) and writes (add urls, share, refresh), p50/p99 and errors, then a check that no write
// was lost or doubled. Zero 5xx is the bar. Run: npx tsx bench/load.ts [seconds=10]
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startDevServer } from "../scripts/dev-server";
import { apiClient } from "./lib/api";
import { recordSummary } from "./lib/summary";

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = 8;
const PORT = Number(process.env.LOAD_PORT ?? 8798);
const PASSWORD = "correct horse battery";
const FRIENDS = 6;

const site = createServer((req, res) => {
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.end(`<html><head><title>Page ${req.url}</title></head><body><main><h1>Load</h1>
    <p>Concurrent readers and writers share this page ${req.url}.</p></main></body></html>`);
});
await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
const siteHost = `127.0.0.1:${(site.address() as AddressInfo).port}`;
const dataDir = mkdtempSync(join(tmpdir(), "linkbase-load-"));
const server = await startDevServer({
  port: PORT,
  dataDir,
  dbPort: 0,
  s3Port: 0,
  vars: { FETCH_ALLOW_HOSTS: siteHost },
});

const api = apiClient(server.url);

interface Phase {
  name: string;
  result: autocannon.Result;
  statuses: Record<string, number>;
}

async function run(name: string, requests: autocannon.Request[]): Promise<Phase> {
  const statuses: Record<string, number> = {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: server.url, connections: CONNECTIONS, duration: SECONDS, requests },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on("response", (_client, statusCode) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
  return { name, result, statuses };
}

const phases: Phase[] = [];
let exitCode = 0;
try {
  const owner = await api<{ access_token: string }>("POST", "/v1/auth/register", undefined, {
    email: "owner@load.test",
    password: PASSWORD,
  });
  const token = owner.access_token;
  const friends: string[] = [];
  for (let i = 0; i < FRIENDS; i++) {
    const email = `friend${i}@load.test`;
    await api("POST", "/v1/auth/register", undefined, { email, password: PASSWORD });
    friends.push(email);
  }
  const project = await api<{ id: string }>("POST", "/v1/projects", token, { name: "Load" });
  const base = `/v1/projects/${project.id}`;
  const seeded = await api<{ items: { id: string }[] }>("POST", `${base}/urls`, token, {
    urls: Array.from({ length: 10 }, (_, i) => `http://${siteHost}/seed/${i}`),
  });
  const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };

  phases.push(
    await run("reads: project view + search", [
      { method: "GET", path: base, headers: auth },
      {
        method: "POST",
        path: `${base}/search`,
        headers: auth,
        body: JSON.stringify({ query: "concurrent readers" }),
      },
    ]),
  );

  let urlCounter = 0;
  let urlsAccepted = 0;
  let shareCounter = 0;
  phases.push(
    await run("writes: add url + share + refresh", [
      {
        method: "POST",
        path: `${base}/urls`,
        headers: auth,
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ url: `http://${siteHost}/load/${urlCounter++}` }),
        }),
        onResponse: (status) => {
          if (status === 202) urlsAccepted += 1;
        },
      },
      {
        method: "POST",
        path: `${base}/shares`,
        headers: auth,
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ email: friends[shareCounter++ % FRIENDS], role: "viewer" }),
        }),
      },
      {
        method: "POST",
        path: `${base}/urls/${seeded.items[0]?.id}/refresh`,
        headers: auth,
      },
    ]),
  );

  const urlsPage = await api<{ counts: { urls: number } }>("GET", base, token);
  const shares = await api<{ items: { user: { email: string } }[] }>(
    "GET",
    `${base}/shares?limit=100`,
    token,
  );
  const distinctShares = new Set(shares.items.map((share) => share.user.email)).size;
  // Each add names a new url: every 202 is exactly one more row (none lost), and no more rows
  // than adds were sent (none doubled).
  const stored = urlsPage.counts.urls - 10;
  console.log(
    `\nintegrity: ${stored} urls stored for ${urlsAccepted} accepted adds (${urlCounter} sent); ` +
      `${shares.items.length} shares (${distinctShares} distinct) for ${FRIENDS} friends`,
  );
  const intact = stored >= urlsAccepted && stored <= urlCounter && urlsAccepted > 0;
  if (!intact || shares.items.length !== distinctShares) exitCode = 1;
} finally {
  await server.stop();
  site.close();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(
  `\n| phase (${CONNECTIONS} connections, ${SECONDS} s) | requests | req/s | p50 | p99 | statuses | 5xx |`,
);
console.log("|---|---|---|---|---|---|---|");
for (const phase of phases) {
  const { result, statuses } = phase;
  const fivexx = Object.entries(statuses)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  if (fivexx > 0 || result.errors > 0) exitCode = 1;
  console.log(
    `| ${phase.name} | ${result.requests.total} | ${result.requests.average} | ${result.latency.p50} ms | ${result.latency.p99} ms | ${JSON.stringify(statuses)} | ${fivexx} |`,
  );
  recordSummary([
    {
      benchmark: "load",
      figure: `${phase.name}: p50 / p99`,
      value: `${result.latency.p50} / ${result.latency.p99} ms`,
      baseline: "5xx and socket errors",
      baselineValue: `${fivexx} / ${result.errors}`,
      ratio: `${result.requests.average} req/s`,
    },
  ]);
}
process.exitCode = exitCode;
