import { exports } from "cloudflare:workers";
import { expect, inject } from "vitest";

export interface CallOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

let ipCounter = 0;
/** A fresh client address per call site, so auth rate limits only bite where a test wants them. */
export function freshIp(): string {
  ipCounter += 1;
  return `198.51.100.${ipCounter % 250}`;
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
  const request = new Request(`http://linkbase.test${path}`, {
    method,
    headers,
    body,
    redirect: "manual",
  });
  return exports.default.fetch(request);
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

async function databaseRequests(): Promise<number> {
  const response = await fetch(`${inject("controlUrl")}/db-requests`);
  return ((await response.json()) as { requests: number }).requests;
}

/**
 * Runs `action` and returns its result with the database round trips it cost, read from the
 * local endpoint's counter (test files run one at a time, so the counter is ours).
 */
export async function countRoundTrips<T>(
  action: () => Promise<T>,
): Promise<{ result: T; roundTrips: number }> {
  const before = await databaseRequests();
  const result = await action();
  return { result, roundTrips: (await databaseRequests()) - before };
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
