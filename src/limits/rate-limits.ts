import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Caller } from "../app";
import * as authUtils from "../auth/utils";
import { RateLimited } from "../exceptions";
import { RATE_LIMIT_POLICIES, type RateLimitPolicyName } from "./constants";

/** One unit to count: against `policy`, for whoever `key` names. */
export interface RateLimitCheck {
  policy: RateLimitPolicyName;
  key: string;
}

/** What a response announces for one policy (the `RateLimit` field's `r` and `t`). */
export interface RateLimitOutcome {
  policy: RateLimitPolicyName;
  remaining: number;
  resetSeconds: number;
}

/**
 * The Workers binding answers only allowed or not, so `remaining` is this isolate's own count in
 * the current fixed window (windows aligned to the clock, as the binding's are) subtracted from
 * the quota: exact while one isolate serves a caller, an upper bound otherwise. A denial always
 * announces `r=0`. Entries of ended windows are dropped once the map grows past a bound.
 */
const windows = new Map<string, { endsAt: number; used: number }>();
const MAX_TRACKED_KEYS = 10_000;

function countLocally(id: string, periodSeconds: number, now: number) {
  let entry = windows.get(id);
  if (!entry || entry.endsAt <= now) {
    if (windows.size >= MAX_TRACKED_KEYS) {
      for (const [key, old] of windows) if (old.endsAt <= now) windows.delete(key);
    }
    const periodMs = periodSeconds * 1000;
    entry = { endsAt: (Math.floor(now / periodMs) + 1) * periodMs, used: 0 };
    windows.set(id, entry);
  }
  entry.used += 1;
  return { used: entry.used, resetSeconds: Math.ceil((entry.endsAt - now) / 1000) };
}

/**
 * Counts one request against each check's binding and records what the response will announce;
 * 429 `RATE_LIMITED` with `Retry-After` when any policy is exhausted. A policy whose binding is
 * not configured (they are optional) is neither enforced nor announced.
 *
 * @example
 * await consume(c, [{ policy: "auth", key: `email:${email}` }]);
 */
export async function consume(c: Context<AppEnv>, checks: RateLimitCheck[]): Promise<void> {
  const now = Date.now();
  const recorded = c.get("rateLimits");
  let retryAfter = 0;
  await Promise.all(
    checks.map(async ({ policy, key }) => {
      const { limit, period } = RATE_LIMIT_POLICIES[policy];
      const limiter = c.env[`${policy.toUpperCase()}_RATE_LIMITER`] as RateLimit | undefined;
      if (!limiter) return;
      const id = `${policy}:${key}`;
      const { success } = await limiter.limit({ key: id });
      const local = countLocally(id, period, now);
      const outcome = success
        ? { policy, remaining: Math.max(0, limit - local.used), resetSeconds: local.resetSeconds }
        : { policy, remaining: 0, resetSeconds: period };
      if (!success) retryAfter = Math.max(retryAfter, period);
      // Several keys under one policy (login: per IP and per email): announce the tightest.
      const previous = recorded.get(policy);
      if (!previous || previous.remaining > outcome.remaining) recorded.set(policy, outcome);
    }),
  );
  if (retryAfter > 0) throw new RateLimited(retryAfter);
}

/**
 * Outermost on /v1: every response, error or not, announces the policies its request counted
 * against (draft-ietf-httpapi-ratelimit-headers), set by {@link limitAnonymous} and, for
 * authenticated routes, by `authenticate`.
 */
export const announceRateLimits = createMiddleware<AppEnv>(async (c, next) => {
  c.set("rateLimits", new Map());
  await next();
  const outcomes = [...c.get("rateLimits").values()];
  if (outcomes.length === 0) return;
  const items = (item: (outcome: RateLimitOutcome) => string) => outcomes.map(item).join(", ");
  c.res.headers.set(
    "RateLimit-Policy",
    items(({ policy }) => {
      const { limit, period } = RATE_LIMIT_POLICIES[policy];
      return `"${policy}";q=${limit};w=${period}`;
    }),
  );
  c.res.headers.set(
    "RateLimit",
    items(({ policy, remaining, resetSeconds }) => `"${policy}";r=${remaining};t=${resetSeconds}`),
  );
});

/** The client's address as Cloudflare reports it. */
export function clientIp(c: Context): string {
  return c.req.header("cf-connecting-ip") ?? "unknown";
}

const SHARED_PATH = /^\/v1\/shared\/([^/]+)/;

/**
 * Limits that need no caller: every request per IP; public-link reads per IP and per link (keyed
 * by the token's hash, so limiter keys hold no secret). Runs before bodies are read.
 */
export const limitAnonymous = createMiddleware<AppEnv>(async (c, next) => {
  const ip = clientIp(c);
  const checks: RateLimitCheck[] = [{ policy: "ip", key: ip }];
  const token = SHARED_PATH.exec(c.req.path)?.[1];
  if (token) {
    checks.push({ policy: "public", key: ip });
    checks.push({ policy: "link", key: await authUtils.sha256Hex(token) });
  }
  await consume(c, checks);
  await next();
});

const SEARCH_PATH = /^\/v1\/projects\/[^/]+\/search$/;
const INGEST_PATH =
  /^\/v1\/projects\/([^/]+)\/(?:urls(?:\/[^/]+\/refresh)?|sources(?:\/[^/]+\/sync)?)$/;
const MCP_PATH = /^\/v1\/projects\/[^/]+\/mcp$/;

/**
 * What one search by `key` costs: a search, and an embedding unless it is keyword-only.
 *
 * @example
 * await consume(c, searchChecks(caller.userId, input.mode));
 */
export function searchChecks(key: string, mode: unknown): RateLimitCheck[] {
  const checks: RateLimitCheck[] = [{ policy: "search", key }];
  if (mode !== "keyword") checks.push({ policy: "embedding", key });
  return checks;
}

/**
 * The per-caller limits of an authenticated request, by endpoint class: reads, writes or
 * searches (semantic and hybrid also count as embeddings), plus password attempts per account
 * and url adds, refreshes, source creations and syncs per project. Called by `authenticate`
 * once the caller is known. An MCP message counts as a read; its tools count what their REST
 * twins do (src/mcp/access.ts).
 */
export async function limitCaller(c: Context<AppEnv>, caller: Caller): Promise<void> {
  const { method, path } = c.req;
  const key = caller.userId;
  if (method === "GET" || method === "HEAD" || MCP_PATH.test(path)) {
    return consume(c, [{ policy: "reads", key }]);
  }
  // Already parsed and cached by the body middleware; null when there is none.
  const body = (await c.req.json().catch(() => null)) as { mode?: unknown; password?: unknown };
  if (method === "POST" && SEARCH_PATH.test(path)) return consume(c, searchChecks(key, body?.mode));
  const checks: RateLimitCheck[] = [{ policy: "writes", key }];
  // Per project and caller: keyed by the project alone, anyone who learned its id could spend
  // its members' budget with requests that end in 404.
  const project = method === "POST" && INGEST_PATH.exec(path)?.[1];
  if (project) checks.push({ policy: "ingest", key: `${project}:${key}` });
  if (method === "PATCH" && path === "/v1/users/me" && body?.password) {
    checks.push({ policy: "password", key });
  }
  return consume(c, checks);
}
