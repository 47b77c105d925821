import { env, exports } from "cloudflare:workers";
import { expect, inject, vi } from "vitest";
import type { Env } from "../../src/config";
import { sql } from "../../src/database";
import { consumeQueue } from "../../src/ingestion/consumer";
import type { Url } from "../../src/urls/schemas";
import { query, seedProject } from "../projects/fixtures";
import { call, expectStatus } from "../support/api";
import { createUser } from "../support/factories";

/** A url on the local test site (test/setup/test-site.ts). */
export function site(path: string): string {
  return `${inject("testSiteUrl")}${path}`;
}

/** Adds urls through the API (202) and returns the items. */
export async function addUrls(token: string, projectId: string, urls: string[]): Promise<Url[]> {
  const body = await expectStatus<{ items: Url[] }>(
    await call("POST", `/v1/projects/${projectId}/urls`, { token, body: { urls } }),
    202,
  );
  return body.items;
}

export const FINAL = ["ready", "failed"] as const;

/**
 * Polls GET …/urls/{id} until `done(url)` (default: a final state) or the deadline passes.
 *
 * @example
 * const url = await waitForUrl(token, projectId, id); // status ready or failed
 */
export async function waitForUrl(
  token: string,
  projectId: string,
  urlId: string,
  { timeoutMs = 20_000, done = (url: Url) => FINAL.includes(url.status as "ready") } = {},
): Promise<Url> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = await expectStatus<Url>(
      await call("GET", `/v1/projects/${projectId}/urls/${urlId}`, { token }),
      200,
    );
    if (done(url)) return url;
    if (Date.now() > deadline) {
      expect.fail(`url ${url.url} still ${url.status} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls `check` every `intervalMs` until it returns true or the deadline passes. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
  what = "",
  intervalMs = 100,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) expect.fail(`not true within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * GET without following redirects: the Worker's fetcher follows a 302 by default (back into the
 * Worker itself), so the snapshot redirect must be read with `redirect: "manual"`.
 */
export function getManual(path: string, token?: string): Promise<Response> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return exports.default.fetch(
    new Request(`http://linkbase.test${path}`, { headers, redirect: "manual" }),
  );
}

/** Sets the HTML the test site serves at `/pages/{name}` (with an ETag of its content). */
export async function setPage(name: string, html: string): Promise<string> {
  const res = await fetch(site(`/_pages/${name}`), { method: "PUT", body: html });
  expect(res.ok).toBe(true);
  return site(`/pages/${name}`);
}

/** How often the test site served `path`, and the If-None-Match values it was sent. */
export async function hits(path: string): Promise<{ count: number; ifNoneMatch: string[] }> {
  return (await fetch(site(`/_hits${path}`))).json();
}

/**
 * A hand-made queue message for calling the consumer directly, so acks, retries and attempts
 * are observable.
 */
export function message(body: unknown, attempts = 1) {
  return {
    id: crypto.randomUUID(),
    timestamp: new Date(),
    body,
    attempts,
    ack: vi.fn(),
    retry: vi.fn(),
  };
}

/** Runs the queue consumer on `messages` as one batch, with the test env. */
export function deliver(...messages: ReturnType<typeof message>[]) {
  return deliverWith(env as unknown as Env, ...messages);
}

/** {@link deliver} with another env (a setting changed, a binding replaced). */
export async function deliverWith(withEnv: Env, ...messages: ReturnType<typeof message>[]) {
  const batch = {
    queue: "linkbase-ingest",
    messages,
    ackAll: vi.fn(),
    retryAll: vi.fn(),
  } as unknown as MessageBatch<unknown>;
  await consumeQueue(batch, withEnv);
}

/**
 * A url inserted in SQL in a fresh project, so Miniflare's own queue never sees it: the test
 * delivers its messages.
 */
export async function seedUrl(pageUrl: string) {
  const owner = await createUser();
  const { projectId } = await seedProject(owner.id);
  const [row] = await query<{ id: string }>(
    sql`insert into urls (project_id, url, normalized_url)
        values (${projectId}, ${pageUrl}, ${pageUrl}) returning id`,
  );
  return { token: owner.accessToken, projectId, urlId: row?.id ?? "" };
}

/** GET …/urls/{id}, asserting 200. */
export async function getUrl(token: string, projectId: string, urlId: string): Promise<Url> {
  return expectStatus<Url>(
    await call("GET", `/v1/projects/${projectId}/urls/${urlId}`, { token }),
    200,
  );
}

/** The queue taken down: every send fails, as a producer does when Queues is unavailable. */
const queueDown = {
  send: () => Promise.reject(new Error("queue unavailable")),
  sendBatch: () => Promise.reject(new Error("queue unavailable")),
} as unknown as Queue<unknown>;

/** Calls the Worker with the queue down. */
export function callQueueDown(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<Response> {
  return call(method, path, { token, body, vars: { INGEST_QUEUE: queueDown } });
}
