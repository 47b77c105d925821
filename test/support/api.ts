import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, inject } from "vitest";
import app from "../../src/main";

export interface CallOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  /** Settings or bindings for this call only (a small quota, a failing queue), over the Worker's own. */
  vars?: Record<string, unknown>;
}

let ipCounter = 0;
/** A fresh client address per call site, so auth rate limits only bite where a test wants them. */
export function freshIp(): string {
  ipCounter += 1;
  return `198.51.100.${ipCounter % 250}`;
}

/**
 * Waits, when needed, until the current rate-limit window has `needMs` left. Workers rate limits
 * (Miniflare's too) count in fixed windows aligned to the clock, so a burst that straddles a
 * boundary is split between two budgets and may never reach the limit it means to test.
 *
 * @example
 * await withinOneWindow(RATE_LIMIT_POLICIES.password.period);
 */
export async function withinOneWindow(periodSeconds: number, needMs = 15_000) {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 250));
}

/**
 * Calls the Worker inside workerd, as a client would.
 *
 * @example
 * const res = await call("POST", "/v1/projects", { token, body: { name: "Docs" } });
 */
export function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { "CF-Connecting-IP": freshIp(), ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  // Redirects are the client's to follow (the snapshot endpoint answers 302).
  const request = new Request<unknown, IncomingRequestCfProperties>(`http://linkbase.test${path}`, {
    method,
    headers,
    body,
    redirect: "manual",
  });
  if (!options.vars) return exports.default.fetch(request);
  // A fresh env object: settings are parsed once per env, so these vars take effect.
  return app.fetch(request, { ...env, ...options.vars }, createExecutionContext());
}

/** Asserts a status (showing the body when it differs) and returns the parsed JSON body. */
export async function expectStatus<T = Record<string, unknown>>(
  response: Response,
  status: number,
): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

/** Asserts an RFC 9457 problem with this status and code. */
export async function expectProblem(response: Response, status: number, code: string) {
  const problem = await expectStatus<{
    code: string;
    status: number;
    title: string;
    detail: string;
  }>(response, status);
  expect(response.headers.get("content-type")).toContain("application/problem+json");
  expect(problem.code).toBe(code);
  expect(problem.status).toBe(status);
  return problem;
}

const ROUND_TRIPS = /db;[^,]*desc="(\d+) round trips"/;

/**
 * Runs `action` and returns its response with the database round trips that request cost, as
 * the response's own `Server-Timing` reports them (queue work running meanwhile is not counted).
 */
export async function countRoundTrips(
  action: () => Promise<Response>,
): Promise<{ result: Response; roundTrips: number }> {
  const result = await action();
  const timing = result.headers.get("server-timing") ?? "";
  const match = ROUND_TRIPS.exec(timing);
  if (!match) expect.fail(`no database timing in Server-Timing: ${timing}`);
  return { result, roundTrips: Number(match[1]) };
}

/**
 * Takes a dependency down (connections reset), makes it slow, makes it refuse requests over
 * 64 KiB with 413 (`small`, the database's size limit brought within reach), or restores it.
 */
export async function setFault(
  dependency: "database" | "storage",
  fault: "none" | "down" | "slow" | "small",
) {
  const response = await fetch(`${inject("controlUrl")}/fault/${dependency}/${fault}`, {
    method: "POST",
  });
  expect(response.ok).toBe(true);
}

/**
 * What must never reach a client: driver and connection text, SQL, stack frames, and upstream
 * providers' own words.
 */
const INTERNALS =
  /NeonDbError|neondb|postgres|pglite|ECONNREFUSED|fetch failed|connection lost|127\.0\.0\.1|localhost|\bselect .* from\b|insert into|delete from|update \w+ set|syntax error|relation "|violates|\bat \S+ \(|\.ts:\d+|node_modules|OpenAI|Workers AI|upstream|Incorrect API key|HTTP \d{3}/i;

/** Asserts an error response's body says nothing internal. */
export function expectNoInternals(body: string, context = "") {
  expect(body, context).not.toMatch(INTERNALS);
}
