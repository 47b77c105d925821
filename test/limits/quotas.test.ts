import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config";
import { getDb, sql } from "../../src/database";
import * as store from "../../src/ingestion/store";
import { EMBEDDING_DIMENSIONS } from "../../src/vectorization/embedders-core";
import { site } from "../ingestion/helpers";
import { query, seedProject, seedUrls } from "../projects/fixtures";
import { call, expectProblem, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

/** Runs `count` copies of a request at once and returns their statuses, sorted. */
async function concurrently(count: number, send: (i: number) => Promise<Response>) {
  const responses = await Promise.all(Array.from({ length: count }, (_, i) => send(i)));
  return Promise.all(
    responses.map(async (response) => {
      const body = (await response.json()) as { code?: string; quota?: string; limit?: number };
      return { status: response.status, code: body.code, quota: body.quota, limit: body.limit };
    }),
  );
}

function tally(results: { status: number }[]) {
  return results.reduce<Record<number, number>>((counts, { status }) => {
    counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }, {});
}

async function count(statement: ReturnType<typeof sql>): Promise<number> {
  const [row] = await query<{ n: number }>(statement);
  return Number(row?.n);
}

async function ownedProject(user: TestUser): Promise<string> {
  return (await seedProject(user.id)).projectId;
}

describe("quotas", () => {
  it("projects_per_user: concurrent creates at the boundary, exactly the quota succeeds", async () => {
    const user = await createUser();
    const vars = { QUOTA_PROJECTS_PER_USER: "3" };
    await expectStatus(
      await call("POST", "/v1/projects", { token: user.accessToken, vars, body: { name: "one" } }),
      201,
    );
    const results = await concurrently(6, (i) =>
      call("POST", "/v1/projects", { token: user.accessToken, vars, body: { name: `p${i}` } }),
    );
    expect(tally(results)).toEqual({ 201: 2, 409: 4 });
    for (const refused of results.filter((r) => r.status === 409)) {
      expect(refused).toMatchObject({
        code: "QUOTA_EXCEEDED",
        quota: "projects_per_user",
        limit: 3,
      });
    }
    expect(await count(sql`select count(*) as n from projects where owner_id = ${user.id}`)).toBe(
      3,
    );
  });

  it("api_keys_per_user: concurrent creates at the boundary; expired keys do not count", async () => {
    const user = await createUser();
    const vars = { QUOTA_API_KEYS_PER_USER: "2" };
    await query(
      sql`insert into api_keys (user_id, name, prefix, key_hash, expires_at)
          values (${user.id}, 'old', 'lb_old', ${crypto.randomUUID()}, now() - interval '1 day')`,
    );
    const results = await concurrently(5, (i) =>
      call("POST", "/v1/auth/api-keys", { token: user.accessToken, vars, body: { name: `k${i}` } }),
    );
    expect(tally(results)).toEqual({ 201: 2, 409: 3 });
    expect(results.find((r) => r.status === 409)).toMatchObject({ quota: "api_keys_per_user" });
    expect(await count(sql`select count(*) as n from api_keys where user_id = ${user.id}`)).toBe(3);
  });

  it("urls_per_project: all or nothing at the boundary; urls already there cost nothing", async () => {
    const user = await createUser();
    const projectId = await ownedProject(user);
    const vars = { QUOTA_URLS_PER_PROJECT: "3" };
    const path = `/v1/projects/${projectId}/urls`;
    const add = (urls: string[]) =>
      call("POST", path, { token: user.accessToken, vars, body: { urls } });
    await expectStatus(await add([site("/quota/a"), site("/quota/b")]), 202);
    const refused = await expectProblem(
      await add([site("/quota/c"), site("/quota/d")]),
      409,
      "QUOTA_EXCEEDED",
    );
    expect(refused).toMatchObject({ quota: "urls_per_project", limit: 3 });
    const stored = sql`select count(*) as n from urls where project_id = ${projectId}`;
    expect(await count(stored)).toBe(2);
    // One new url beside two known ones fills the quota exactly.
    await expectStatus(await add([site("/quota/a"), site("/quota/b"), site("/quota/c")]), 202);
    expect(await count(stored)).toBe(3);
    const racing = await concurrently(3, (i) => add([site(`/quota/race-${i}`)]));
    expect(tally(racing)).toEqual({ 409: 3 });
    expect(await count(stored)).toBe(3);
  });

  it("urls_per_project: concurrent single adds at the boundary", async () => {
    const user = await createUser();
    const projectId = await ownedProject(user);
    const vars = { QUOTA_URLS_PER_PROJECT: "2" };
    const results = await concurrently(5, (i) =>
      call("POST", `/v1/projects/${projectId}/urls`, {
        token: user.accessToken,
        vars,
        body: { url: site(`/quota/concurrent-${i}`) },
      }),
    );
    expect(tally(results)).toEqual({ 202: 2, 409: 3 });
    expect(await count(sql`select count(*) as n from urls where project_id = ${projectId}`)).toBe(
      2,
    );
  });

  it("links_per_project: concurrent creates at the boundary; expired links do not count", async () => {
    const user = await createUser();
    // seedProject adds one live link; add an expired one beside it.
    const projectId = await ownedProject(user);
    await query(
      sql`insert into project_links (project_id, token_hash, prefix, expires_at)
          values (${projectId}, ${crypto.randomUUID()}, 'lbp_old', now() - interval '1 day')`,
    );
    const vars = { QUOTA_LINKS_PER_PROJECT: "3" };
    const results = await concurrently(5, () =>
      call("POST", `/v1/projects/${projectId}/links`, { token: user.accessToken, vars, body: {} }),
    );
    expect(tally(results)).toEqual({ 201: 2, 409: 3 });
    expect(results.find((r) => r.status === 409)).toMatchObject({ quota: "links_per_project" });
    const links = sql`select count(*) as n from project_links where project_id = ${projectId}`;
    expect(await count(links)).toBe(4);
  });

  it("chunks_per_project: a url's new generation goes live only when it fits, old chunks kept otherwise", async () => {
    const user = await createUser();
    const projectId = await ownedProject(user);
    await seedUrls(projectId, ["ready", "ready"], 2);
    const [target] = await query<{ id: string }>(
      sql`select id from urls where project_id = ${projectId} order by created_at, id limit 1`,
    );
    const urlId = target?.id ?? "";
    const chunk = (position: number) => ({
      position,
      text: `new chunk ${position}`,
      heading_path: [],
      token_count: 3,
      content_hash: `h${position}`,
      embedding: `[${Array(EMBEDDING_DIMENSIONS).fill(0.1).join(",")}]`,
    });
    const page = {
      title: "t",
      description: null,
      language: null,
      publishedAt: null,
      siteName: null,
      extraction: { method: "content", text_chars: 30, ratio: 1 },
      httpStatus: 200,
      contentType: "text/html",
      contentHash: "new",
      bytes: 10,
      etag: null,
      lastModified: null,
      snapshotKey: `projects/${projectId}/urls/${urlId}/new`,
    };
    const db = getDb(env as unknown as Env);
    /** Stages `positions` as a new generation of the url, then asks to switch to it. */
    async function write(positions: number[]) {
      const rows = positions.map(chunk);
      const startedAt = new Date().toISOString();
      const staging = await store.startProcessing(db, urlId, [], "m");
      if (!staging) throw new Error("the url is gone");
      expect(await store.writeChunkBatch(db, urlId, staging.generation, "m", rows)).toBe(true);
      const staged = { generation: staging.generation, count: rows.length, startedAt };
      return (await store.switchGeneration(db, urlId, staged, page, 5)).result;
    }
    const chunksOf = sql`select count(*) as n from chunks where url_id = ${urlId}`;
    const texts = sql`select string_agg(c.text, ',' order by c.position) as n from chunks c
      join urls u on u.id = c.url_id and u.generation = c.generation where c.url_id = ${urlId}`;
    const [before] = await query<{ n: string }>(texts);
    // The other url holds 2 of a quota of 5: this url may hold 3, not 4. Staged chunks of a
    // generation not switched to are not counted, and go when it is refused.
    expect(await write([1, 2, 3, 4])).toBe("over-quota");
    expect(await count(chunksOf)).toBe(2);
    expect((await query<{ n: string }>(texts))[0]?.n).toBe(before?.n);
    expect(await write([1, 2, 3])).toBe("ready");
    expect(await count(chunksOf)).toBe(3);
    expect((await query<{ n: string }>(texts))[0]?.n).toBe("new chunk 1,new chunk 2,new chunk 3");
  });

  it("GET /v1/users/me shows each quota's usage and limit", async () => {
    const user = await createUser();
    const projectId = await ownedProject(user);
    await seedUrls(projectId, ["ready", "queued"], 3);
    await ownedProject(user);
    const me = await expectStatus<{ usage: Record<string, { used: number; limit: number }> }>(
      await call("GET", "/v1/users/me", {
        token: user.accessToken,
        vars: { QUOTA_URLS_PER_PROJECT: "7" },
      }),
      200,
    );
    expect(me.usage).toEqual({
      projects_per_user: { used: 2, limit: 100 },
      api_keys_per_user: { used: 0, limit: 25 },
      urls_per_project: { used: 2, limit: 7 },
      links_per_project: { used: 1, limit: 25 },
      chunks_per_project: { used: 6, limit: 500_000 },
      webhooks_per_project: { used: 0, limit: 10 },
    });
  });
});
