import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sql } from "../../src/database";
import { Url } from "../../src/urls/schemas";
import { query, seedProject } from "../projects/fixtures";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser } from "../support/factories";

/** The urls API with the queue mocked: what is stored, answered and enqueued. */
async function setup() {
  const owner = await createUser();
  const { projectId } = await seedProject(owner.id);
  const sendBatch = vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
  const path = `/v1/projects/${projectId}/urls`;
  return { owner, projectId, sendBatch, path, token: owner.accessToken };
}

const ingestIds = (sendBatch: ReturnType<typeof vi.fn>) =>
  sendBatch.mock.calls.flatMap(([messages]) =>
    (messages as { body: { kind: string; urlId: string } }[]).map((m) => m.body),
  );

describe("POST /v1/projects/{project_id}/urls", () => {
  afterEach(() => vi.restoreAllMocks());

  it("adds one url, normalized and queued, in one round trip, and enqueues it", async () => {
    const { path, token, sendBatch } = await setup();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", path, { token, body: { url: "HTTPS://Docs.Example.com:443/guide#intro" } }),
    );
    const body = await expectStatus<{ items: Url[] }>(result, 202);
    expect(roundTrips).toBe(1);
    const [item] = body.items;
    expect(Url.parse(item)).toEqual(item);
    expect(item).toMatchObject({
      url: "HTTPS://Docs.Example.com:443/guide#intro",
      normalized_url: "https://docs.example.com/guide",
      status: "queued",
      error: null,
      chunk_count: 0,
      fetched_at: null,
      title: null,
    });
    expect(ingestIds(sendBatch)).toEqual([{ kind: "ingest", urlId: item?.id }]);
  });

  it("returns urls already in the project as they are and enqueues only the new ones", async () => {
    const { path, token, sendBatch, projectId } = await setup();
    const first = await expectStatus<{ items: Url[] }>(
      await call("POST", path, { token, body: { url: "https://a.example/x" } }),
      202,
    );
    await query(sql`update urls set status = 'ready', title = 'A' where project_id = ${projectId}`);
    sendBatch.mockClear();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", path, {
        token,
        body: { urls: ["https://b.example/", "https://A.example/x#y", "https://b.example"] },
      }),
    );
    const body = await expectStatus<{ items: Url[] }>(result, 202);
    expect(roundTrips).toBe(1);
    expect(body.items.map((u) => [u.normalized_url, u.status, u.title])).toEqual([
      ["https://b.example/", "queued", null],
      ["https://a.example/x", "ready", "A"],
    ]);
    expect(body.items[1]?.id).toBe(first.items[0]?.id);
    expect(ingestIds(sendBatch)).toEqual([{ kind: "ingest", urlId: body.items[0]?.id }]);
    const [count] = await query<{ n: number }>(
      sql`select count(*)::int as n from urls where project_id = ${projectId}`,
    );
    expect(count?.n).toBe(2);
  });

  it("stays idempotent under concurrent adds of the same urls", async () => {
    const { path, token, projectId } = await setup();
    const urls = ["https://c.example/1", "https://c.example/2", "https://c.example/3"];
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call("POST", path, { token, body: { urls } })),
    );
    const bodies = await Promise.all(answers.map((r) => expectStatus<{ items: Url[] }>(r, 202)));
    const ids = bodies.map((b) => b.items.map((u) => u.id).join());
    expect(new Set(ids).size).toBe(1);
    const [count] = await query<{ n: number }>(
      sql`select count(*)::int as n from urls where project_id = ${projectId}`,
    );
    expect(count?.n).toBe(3);
  });

  it("rejects the whole request when one url is not allowed, naming its index", async () => {
    const { path, token, projectId, sendBatch } = await setup();
    const problem = await expectProblem(
      await call("POST", path, {
        token,
        body: {
          urls: ["https://ok.example/", "http://169.254.169.254/latest", "ftp://x.example/"],
        },
      }),
      422,
      "URL_NOT_ALLOWED",
    );
    expect(
      (problem as unknown as { errors: { path: string }[] }).errors.map((e) => e.path),
    ).toEqual(["body.urls.1", "body.urls.2"]);
    await expectProblem(
      await call("POST", path, { token, body: { url: "not a url" } }),
      422,
      "URL_INVALID",
    );
    const [count] = await query<{ n: number }>(
      sql`select count(*)::int as n from urls where project_id = ${projectId}`,
    );
    expect(count?.n).toBe(0);
    expect(sendBatch).not.toHaveBeenCalled();
  });

  it("validates the body shape: both keys, none, an empty list or more than 100", async () => {
    const { path, token } = await setup();
    const many = Array.from({ length: 101 }, (_, i) => `https://e.example/${i}`);
    for (const body of [{ url: "https://a.example", urls: [] }, {}, { urls: [] }, { urls: many }]) {
      await expectProblem(await call("POST", path, { token, body }), 422, "VALIDATION_FAILED");
    }
  });
});

describe("GET, refresh, DELETE and snapshot of /v1/projects/{project_id}/urls", () => {
  afterEach(() => vi.restoreAllMocks());

  it("lists newest first with a status filter and a cursor, in one round trip", async () => {
    const { path, token, projectId } = await setup();
    const urls = Array.from({ length: 5 }, (_, i) => `https://list.example/${i}`);
    const added = await expectStatus<{ items: Url[] }>(
      await call("POST", path, { token, body: { urls } }),
      202,
    );
    await query(
      sql`update urls set status = 'failed', error_code = 'FETCH_HTTP_ERROR', error_message = 'x'
          where id = ${added.items[2]?.id}`,
    );
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `${path}?limit=2`, { token }),
    );
    const page = await expectStatus<{ items: Url[]; next_cursor: string | null }>(result, 200);
    expect(roundTrips).toBe(1);
    expect(page.items).toHaveLength(2);
    const rest = await expectStatus<{ items: Url[]; next_cursor: string | null }>(
      await call("GET", `${path}?limit=10&cursor=${page.next_cursor}`, { token }),
      200,
    );
    expect(rest.next_cursor).toBeNull();
    expect(new Set([...page.items, ...rest.items].map((u) => u.id)).size).toBe(5);
    const failed = await expectStatus<{ items: Url[] }>(
      await call("GET", `${path}?status=failed`, { token }),
      200,
    );
    expect(failed.items.map((u) => [u.id, u.error])).toEqual([
      [added.items[2]?.id, { code: "FETCH_HTTP_ERROR", message: "x" }],
    ]);
    await expectProblem(
      await call("GET", `${path}?status=done`, { token }),
      422,
      "VALIDATION_FAILED",
    );
    const [row] = await query<{ n: number }>(
      sql`select count(*)::int as n from urls where project_id = ${projectId}`,
    );
    expect(row?.n).toBe(5);
  });

  it("gets one url in one round trip; an unknown or foreign url is 404 URL_NOT_FOUND", async () => {
    const { path, token, owner } = await setup();
    const [item] = (
      await expectStatus<{ items: Url[] }>(
        await call("POST", path, { token, body: { url: "https://get.example/" } }),
        202,
      )
    ).items;
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `${path}/${item?.id}`, { token }),
    );
    expect(await expectStatus(result, 200)).toEqual(item);
    expect(roundTrips).toBe(1);
    await expectProblem(
      await call("GET", `${path}/${crypto.randomUUID()}`, { token }),
      404,
      "URL_NOT_FOUND",
    );
    const other = await seedProject(owner.id);
    await expectProblem(
      await call("GET", `/v1/projects/${other.projectId}/urls/${item?.id}`, { token }),
      404,
      "URL_NOT_FOUND",
    );
    await expectProblem(await call("GET", `${path}/nope`, { token }), 422, "VALIDATION_FAILED");
  });

  it("refresh queues the url again, clears its error and enqueues it", async () => {
    const { path, token, sendBatch } = await setup();
    const [item] = (
      await expectStatus<{ items: Url[] }>(
        await call("POST", path, { token, body: { url: "https://refresh.example/" } }),
        202,
      )
    ).items;
    await query(
      sql`update urls set status = 'failed', error_code = 'FETCH_TIMEOUT', error_message = 'slow'
          where id = ${item?.id}`,
    );
    sendBatch.mockClear();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `${path}/${item?.id}/refresh`, { token }),
    );
    const url = await expectStatus<Url>(result, 202);
    expect(roundTrips).toBe(1);
    expect(url).toMatchObject({ id: item?.id, status: "queued", error: null });
    expect(ingestIds(sendBatch)).toEqual([{ kind: "ingest", urlId: item?.id }]);
    await expectProblem(
      await call("POST", `${path}/${crypto.randomUUID()}/refresh`, { token }),
      404,
      "URL_NOT_FOUND",
    );
  });

  it("DELETE removes the url and its chunks and queues its snapshots", async () => {
    const { path, token, sendBatch, projectId } = await setup();
    const [item] = (
      await expectStatus<{ items: Url[] }>(
        await call("POST", path, { token, body: { url: "https://delete.example/" } }),
        202,
      )
    ).items;
    await query(
      sql`insert into chunks (url_id, project_id, position, text, token_count, content_hash)
          values (${item?.id}, ${projectId}, 0, 'chunk', 1, 'h')`,
    );
    sendBatch.mockClear();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("DELETE", `${path}/${item?.id}`, { token }),
    );
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    expect(sendBatch).toHaveBeenCalledWith([
      {
        body: {
          kind: "delete-prefix",
          prefix: `projects/${projectId}/urls/${item?.id}/`,
          deletionId: expect.any(String),
        },
      },
    ]);
    const [left] = await query<{ urls: number; chunks: number }>(
      sql`select (select count(*)::int from urls where id = ${item?.id}) as urls,
                 (select count(*)::int from chunks where url_id = ${item?.id}) as chunks`,
    );
    expect(left).toEqual({ urls: 0, chunks: 0 });
    await expectProblem(
      await call("DELETE", `${path}/${item?.id}`, { token }),
      404,
      "URL_NOT_FOUND",
    );
  });

  it("snapshot is 404 SNAPSHOT_NOT_FOUND before the first fetch, in one round trip", async () => {
    const { path, token } = await setup();
    const [item] = (
      await expectStatus<{ items: Url[] }>(
        await call("POST", path, { token, body: { url: "https://snap.example/" } }),
        202,
      )
    ).items;
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `${path}/${item?.id}/snapshot`, { token }),
    );
    await expectProblem(result, 404, "SNAPSHOT_NOT_FOUND");
    expect(roundTrips).toBe(1);
    await expectProblem(
      await call("GET", `${path}/${crypto.randomUUID()}/snapshot`, { token }),
      404,
      "URL_NOT_FOUND",
    );
  });
});
