// Database round trips of every endpoint in the contract, read from the local database endpoint's
// counter while driving `wrangler dev` on a fresh stack; exits 1 when one exceeds its budget.
// Run: npx tsx bench/round-trips.ts

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevServer } from "../scripts/dev-server";
import { recordSummary } from "./lib/summary";

const PORT = Number(process.env.ROUND_TRIPS_PORT ?? 8799);
const ADMIN = "bench-admin@linkbase.test";
const PASSWORD = "correct horse battery";

// A page for the ingestion endpoints to fetch.
const site = createServer((_, res) => {
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.end(
    "<html><head><title>Bench page</title></head><body><main><h1>Bench</h1><p>Round trips are counted here.</p></main></body></html>",
  );
});
await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
const siteHost = `127.0.0.1:${(site.address() as AddressInfo).port}`;

const dataDir = mkdtempSync(join(tmpdir(), "linkbase-round-trips-"));
const server = await startDevServer({
  port: PORT,
  dataDir,
  dbPort: 0,
  s3Port: 0,
  vars: { ADMIN_EMAILS: ADMIN, FETCH_ALLOW_HOSTS: siteHost },
});

interface Row {
  endpoint: string;
  status: number;
  roundTrips: number;
  budget: number;
}
const rows: Row[] = [];

async function request(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = { "CF-Connecting-IP": `10.9.${rows.length % 250}.1` };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: this script reads a handful of fields from many response shapes.
  type Body = Record<string, any>;
  return { status: response.status, json: text ? (JSON.parse(text) as Body) : ({} as Body) };
}

/** Measures one request: the counter's difference around it. */
async function measure(
  endpoint: string,
  budget: number,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
) {
  const before = server.stack.db.requests();
  const result = await request(method, path, token, body);
  rows.push({
    endpoint,
    status: result.status,
    roundTrips: server.stack.db.requests() - before,
    budget,
  });
  return result.json;
}

async function waitForUrl(projectId: string, urlId: string, token: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { json } = await request("GET", `/v1/projects/${projectId}/urls/${urlId}`, token);
    if (json.status === "ready" || json.status === "failed") return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("url never settled");
}

try {
  await measure("POST /v1/auth/register", 1, "POST", "/v1/auth/register", undefined, {
    email: ADMIN,
    password: PASSWORD,
  });
  const other = (
    await request("POST", "/v1/auth/register", undefined, {
      email: "friend@example.com",
      password: PASSWORD,
    })
  ).json;
  const login = await measure("POST /v1/auth/login", 2, "POST", "/v1/auth/login", undefined, {
    email: ADMIN,
    password: PASSWORD,
  });
  const token: string = login.access_token;
  const refreshed = await measure(
    "POST /v1/auth/refresh",
    1,
    "POST",
    "/v1/auth/refresh",
    undefined,
    { refresh_token: login.refresh_token },
  );
  await measure("POST /v1/auth/logout", 1, "POST", "/v1/auth/logout", undefined, {
    refresh_token: refreshed.refresh_token,
  });
  const key = await measure("POST /v1/auth/api-keys", 1, "POST", "/v1/auth/api-keys", token, {
    name: "bench",
  });
  await measure("GET /v1/auth/api-keys", 1, "GET", "/v1/auth/api-keys", token);
  await measure("GET /v1/users/me (API key)", 2, "GET", "/v1/users/me", key.key);
  await measure(
    "DELETE /v1/auth/api-keys/{key_id}",
    1,
    "DELETE",
    `/v1/auth/api-keys/${key.id}`,
    token,
  );
  await measure("GET /v1/system/health", 1, "GET", "/v1/system/health");
  await measure("GET /v1/system/info", 0, "GET", "/v1/system/info");
  await measure("GET /v1/system/stats", 1, "GET", "/v1/system/stats", token);
  await measure("GET /v1/users/me", 1, "GET", "/v1/users/me", token);
  await measure("PATCH /v1/users/me (name)", 1, "PATCH", "/v1/users/me", token, { name: "Bench" });
  await measure("GET /v1/users", 1, "GET", "/v1/users?q=example", token);

  const project = await measure("POST /v1/projects", 1, "POST", "/v1/projects", token, {
    name: "Bench",
  });
  const p = `/v1/projects/${project.id}`;
  await measure("GET /v1/projects", 1, "GET", "/v1/projects", token);
  await measure("GET /v1/projects/{id}", 1, "GET", p, token);
  await measure("PATCH /v1/projects/{id}", 1, "PATCH", p, token, { description: "d" });
  const share = await measure("POST …/shares", 1, "POST", `${p}/shares`, token, {
    email: "friend@example.com",
    role: "viewer",
  });
  await measure("GET …/shares", 1, "GET", `${p}/shares`, token);
  await measure("PATCH …/shares/{id}", 1, "PATCH", `${p}/shares/${share.id}`, token, {
    role: "editor",
  });
  await measure("DELETE …/shares/{id}", 1, "DELETE", `${p}/shares/${share.id}`, other.access_token);
  const link = await measure("POST …/links", 1, "POST", `${p}/links`, token, {});
  await measure("GET …/links", 1, "GET", `${p}/links`, token);
  await measure("GET /v1/shared/{token}", 1, "GET", `/v1/shared/${link.token}`);

  const added = await measure("POST …/urls", 1, "POST", `${p}/urls`, token, {
    url: `http://${siteHost}/page`,
  });
  const urlId: string = added.items?.[0]?.id;
  await waitForUrl(project.id, urlId, token);
  await measure("GET …/urls", 1, "GET", `${p}/urls`, token);
  await measure("GET …/urls/{id}", 1, "GET", `${p}/urls/${urlId}`, token);
  await measure("GET …/urls/{id}/snapshot", 1, "GET", `${p}/urls/${urlId}/snapshot`, token);
  const chunks = await measure(
    "GET …/urls/{id}/chunks",
    1,
    "GET",
    `${p}/urls/${urlId}/chunks`,
    token,
  );
  await measure("GET …/chunks/{id}", 1, "GET", `${p}/chunks/${chunks.items?.[0]?.id}`, token);
  for (const mode of ["keyword", "semantic", "hybrid"]) {
    await measure(`POST …/search (${mode})`, 1, "POST", `${p}/search`, token, {
      query: "round trips",
      mode,
    });
  }
  await measure(
    "POST /v1/shared/{token}/search",
    1,
    "POST",
    `/v1/shared/${link.token}/search`,
    undefined,
    { query: "round trips" },
  );
  await measure("GET /v1/vectorization/models", 0, "GET", "/v1/vectorization/models", token);
  await measure("GET …/vectorization", 1, "GET", `${p}/vectorization`, token);
  await measure("POST …/vectorization", 1, "POST", `${p}/vectorization`, token);
  await waitForUrl(project.id, urlId, token);
  await measure("POST …/urls/{id}/refresh", 1, "POST", `${p}/urls/${urlId}/refresh`, token);
  await waitForUrl(project.id, urlId, token);
  await measure("DELETE …/urls/{id}", 1, "DELETE", `${p}/urls/${urlId}`, token);
  await measure("DELETE …/links/{id}", 1, "DELETE", `${p}/links/${link.id}`, token);
  await measure("DELETE /v1/projects/{id}", 1, "DELETE", p, token);
  await measure("PATCH /v1/users/me (password)", 2, "PATCH", "/v1/users/me", token, {
    password: "another good password",
    current_password: PASSWORD,
  });
  await measure("POST /v1/auth/logout-all", 1, "POST", "/v1/auth/logout-all", token, {
    include_api_keys: true,
  });
  await measure("DELETE /v1/users/me", 1, "DELETE", "/v1/users/me", token);
} finally {
  await server.stop();
  site.close();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log("| endpoint | status | round trips | budget |");
console.log("|---|---|---|---|");
for (const row of rows) {
  const mark = row.roundTrips > row.budget ? " **over**" : "";
  console.log(`| ${row.endpoint} | ${row.status} | ${row.roundTrips}${mark} | ${row.budget} |`);
}
const over = rows.filter((row) => row.roundTrips > row.budget);
const failed = rows.filter((row) => row.status >= 400);
recordSummary([
  {
    benchmark: "round trips",
    figure: `${rows.length} endpoints within budget`,
    value: `${rows.length - over.length}/${rows.length}`,
    baseline: "budget (1 per request; login 2)",
    baselineValue: `${rows.reduce((sum, row) => sum + row.budget, 0)} total`,
    ratio: `${rows.reduce((sum, row) => sum + row.roundTrips, 0)} used`,
  },
]);
if (over.length > 0 || failed.length > 0) {
  console.error(
    `Over budget: ${over.map((row) => row.endpoint).join(", ") || "none"}; failed: ${failed.map((row) => `${row.endpoint} ${row.status}`).join(", ") || "none"}`,
  );
  process.exitCode = 1;
}
