// Black-box check of every rate-limit policy on `wrangler dev`: for each endpoint class, send
// more requests than its limit (a fresh caller, project or address each) and require 429s with
// Retry-After and RateLimit-Policy / RateLimit fields naming the policy at r=0, and no 5xx.
// The baseline is the policy's own limit: allowed requests may not exceed it (times the
// windows the burst spanned). Run: npm run bench:limits
import { RATE_LIMIT_POLICIES, type RateLimitPolicyName } from "../src/limits/constants";
import { freshIp, startBenchServer } from "./lib/bench-server";
import { recordSummary } from "./lib/summary";

const PORT = process.env.LIMITS_PORT ? Number(process.env.LIMITS_PORT) : undefined;
const CONCURRENCY = 16;
const PASSWORD = "correct horse battery";

const server = await startBenchServer({
  name: "limits",
  port: PORT,
  page: (path) => `<html><head><title>Limits</title></head><body><main><h1>Page ${path}</h1>
    <p>A page for the rate-limit check.</p></main></body></html>`,
});
const { siteHost } = server;

interface Sent {
  method: string;
  path: string;
  token?: string;
  body?: unknown;
  ip?: string;
}

function send({ method, path, token, body, ip }: Sent): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      "CF-Connecting-IP": ip ?? freshIp(),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function ok<T>(request: Sent): Promise<T> {
  const response = await send(request);
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${request.method} ${request.path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function newUser(): Promise<{ token: string; email: string }> {
  const email = `limits-${crypto.randomUUID()}@limits.test`;
  const body = await ok<{ access_token: string }>({
    method: "POST",
    path: "/v1/auth/register",
    body: { email, password: PASSWORD },
  });
  return { token: body.access_token, email };
}

async function newProject(token: string): Promise<string> {
  return (
    await ok<{ id: string }>({ method: "POST", path: "/v1/projects", token, body: { name: "L" } })
  ).id;
}

async function newLink(token: string, projectId: string): Promise<string> {
  const path = `/v1/projects/${projectId}/links`;
  return (await ok<{ token: string }>({ method: "POST", path, token, body: {} })).token;
}

interface Outcome {
  policy: RateLimitPolicyName;
  sent: number;
  allowed: number;
  limited: number;
  serverErrors: number;
  windows: number;
  headerProblems: string[];
}

/** Requests per second of the last burst, to tell whether the next one fits in a window. */
let measuredRate = 0;

/**
 * Sends `count` requests `CONCURRENCY` at a time and checks every 429's fields. Windows are
 * aligned to the clock (as the binding's are): a burst that would not end inside the current
 * window waits for the next one, so the limit is reached before a reset.
 */
async function hammer(policy: RateLimitPolicyName, count: number, next: (i: number) => Sent) {
  const { limit, period } = RATE_LIMIT_POLICIES[policy];
  const periodMs = period * 1000;
  const needMs = (count / measuredRate) * 1500 + 2000;
  const leftMs = periodMs - (Date.now() % periodMs);
  if (leftMs < needMs) await new Promise((resolve) => setTimeout(resolve, leftMs + 100));
  const window = () => Math.floor(Date.now() / periodMs);
  const first = window();
  const started = Date.now();
  const outcome: Outcome = {
    policy,
    sent: 0,
    allowed: 0,
    limited: 0,
    serverErrors: 0,
    windows: 1,
    headerProblems: [],
  };
  let index = 0;
  const worker = async () => {
    while (index < count) {
      const response = await send(next(index++));
      await response.arrayBuffer();
      outcome.sent += 1;
      if (response.status >= 500) outcome.serverErrors += 1;
      if (response.status !== 429) {
        outcome.allowed += 1;
        continue;
      }
      outcome.limited += 1;
      const policyField = response.headers.get("ratelimit-policy") ?? "";
      const current = response.headers.get("ratelimit") ?? "";
      const retryAfter = Number(response.headers.get("retry-after"));
      const problems = [
        !policyField.includes(`"${policy}";q=${limit};w=${period}`) && `policy: ${policyField}`,
        !new RegExp(`"${policy}";r=0;t=\\d+`).test(current) && `RateLimit: ${current}`,
        !(retryAfter > 0 && retryAfter <= period) && `Retry-After: ${retryAfter}`,
      ].filter((problem): problem is string => Boolean(problem));
      if (problems.length > 0 && outcome.headerProblems.length < 3) {
        outcome.headerProblems.push(...problems);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  outcome.windows = window() - first + 1;
  measuredRate = outcome.sent / Math.max(0.001, (Date.now() - started) / 1000);
  return outcome;
}

const outcomes: Outcome[] = [];
let exitCode = 0;
try {
  // A first rate for the window arithmetic, from addresses no policy below uses.
  const warmup = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = 0; i < 5; i++)
        await (await send({ method: "GET", path: "/v1/system/info" })).text();
    }),
  );
  measuredRate = (CONCURRENCY * 5) / ((Date.now() - warmup) / 1000);
  const over = (policy: RateLimitPolicyName) => RATE_LIMIT_POLICIES[policy].limit + 10;
  const sameIp = freshIp();
  outcomes.push(
    await hammer("ip", over("ip"), () => ({ method: "GET", path: "/v1/system/info", ip: sameIp })),
  );

  const loginIp = freshIp();
  outcomes.push(
    await hammer("auth", over("auth"), () => ({
      method: "POST",
      path: "/v1/auth/login",
      ip: loginIp,
      body: { email: "nobody@limits.test", password: "wrong password" },
    })),
  );

  const reader = await newUser();
  outcomes.push(
    await hammer("reads", over("reads"), () => ({
      method: "GET",
      path: "/v1/users/me",
      token: reader.token,
    })),
  );

  const writer = await newUser();
  const written = await newProject(writer.token);
  outcomes.push(
    await hammer("writes", over("writes"), (i) => ({
      method: "PATCH",
      path: `/v1/projects/${written}`,
      token: writer.token,
      body: { name: `renamed ${i}` },
    })),
  );

  const searcher = await newUser();
  const searched = await newProject(searcher.token);
  outcomes.push(
    await hammer("search", over("search"), () => ({
      method: "POST",
      path: `/v1/projects/${searched}/search`,
      token: searcher.token,
      body: { query: "limits", mode: "keyword" },
    })),
  );

  const embedder = await newUser();
  const embedded = await newProject(embedder.token);
  outcomes.push(
    await hammer("embedding", over("embedding"), () => ({
      method: "POST",
      path: `/v1/projects/${embedded}/search`,
      token: embedder.token,
      body: { query: "limits", mode: "hybrid" },
    })),
  );

  const guesser = await newUser();
  outcomes.push(
    await hammer("password", over("password"), () => ({
      method: "PATCH",
      path: "/v1/users/me",
      token: guesser.token,
      body: { password: "a new password here", current_password: "a wrong guess" },
    })),
  );

  const adder = await newUser();
  const added = await newProject(adder.token);
  outcomes.push(
    await hammer("ingest", over("ingest"), () => ({
      method: "POST",
      path: `/v1/projects/${added}/urls`,
      token: adder.token,
      body: { url: `http://${siteHost}/limits` },
    })),
  );

  const sharer = await newUser();
  const shared = await newProject(sharer.token);
  const linkToken = await newLink(sharer.token, shared);
  outcomes.push(
    await hammer("link", over("link"), () => ({ method: "GET", path: `/v1/shared/${linkToken}` })),
  );
  const otherLink = await newLink(sharer.token, shared);
  const publicIp = freshIp();
  outcomes.push(
    await hammer("public", over("public"), () => ({
      method: "GET",
      path: `/v1/shared/${otherLink}`,
      ip: publicIp,
    })),
  );
} finally {
  await server.stop();
}

console.log(
  "\n| policy | limit / window | sent | allowed (max) | 429 | 5xx | fields on 429 |\n|---|---|---|---|---|---|---|",
);
for (const outcome of outcomes) {
  const { limit, period } = RATE_LIMIT_POLICIES[outcome.policy];
  const maxAllowed = limit * outcome.windows;
  const fieldsOk = outcome.headerProblems.length === 0;
  const passed =
    outcome.limited > 0 && outcome.allowed <= maxAllowed && outcome.serverErrors === 0 && fieldsOk;
  if (!passed) exitCode = 1;
  console.log(
    `| ${outcome.policy} | ${limit} / ${period} s | ${outcome.sent} | ${outcome.allowed} (${maxAllowed}) | ${outcome.limited} | ${outcome.serverErrors} | ${fieldsOk ? "ok" : outcome.headerProblems.join("; ")} |`,
  );
  recordSummary([
    {
      benchmark: "limits",
      figure: `${outcome.policy}: allowed / 429 / 5xx`,
      value: `${outcome.allowed} / ${outcome.limited} / ${outcome.serverErrors}`,
      baseline: "policy limit × windows",
      baselineValue: String(maxAllowed),
      ratio: (outcome.allowed / maxAllowed).toFixed(2),
    },
  ]);
}
console.log(exitCode === 0 ? "\nevery policy answered 429 past its limit" : "\nFAILED");
process.exitCode = exitCode;
