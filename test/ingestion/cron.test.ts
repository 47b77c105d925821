import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Env, getConfig } from "../../src/config";
import { getDb, measureDatabase, sql } from "../../src/database";
import { runCron } from "../../src/ingestion/scheduler";
import { reapStalledUrls } from "../../src/ingestion/store";
import { query, seedProject } from "../projects/fixtures";
import { call, expectStatus } from "../support/api";
import { createUser } from "../support/factories";
import { addUrls, getUrl, site, waitForUrl } from "./helpers";

const testEnv = env as unknown as Env;
const config = getConfig(testEnv);
const stall = {
  stuckAfterSeconds: config.INGEST_STUCK_AFTER_SECONDS,
  maxRequeues: config.INGEST_STUCK_MAX_REQUEUES,
  limit: 1000,
};

/** Makes a url look like its consumer died mid-ingest, `seconds` past the stuck deadline. */
async function stallUrl(urlId: string, status = "processing", seconds = 60) {
  await query(
    sql`update urls set status = ${status},
          updated_at = now() - make_interval(secs => ${config.INGEST_STUCK_AFTER_SECONDS + seconds})
        where id = ${urlId}`,
  );
}

async function readyUrl(path: string) {
  const owner = await createUser();
  const token = owner.accessToken;
  const { projectId } = await seedProject(owner.id);
  const [item] = await addUrls(token, projectId, [site(path)]);
  const url = await waitForUrl(token, projectId, item?.id ?? "");
  expect(url.status).toBe("ready");
  return { token, projectId, url };
}

describe("scheduled refresh", () => {
  it("re-enqueues urls older than their project's interval, and stuck ones", async () => {
    const owner = await createUser();
    const token = owner.accessToken;
    const { projectId } = await seedProject(owner.id);
    const [due, fresh, stuck] = await addUrls(token, projectId, [
      site("/gen/901"),
      site("/gen/902"),
      site("/gen/903"),
    ]);
    const ids = [due, fresh, stuck].map((u) => u?.id ?? "");
    const before = await Promise.all(ids.map((id) => waitForUrl(token, projectId, id)));
    await query(sql`update projects set refresh_interval_hours = 24 where id = ${projectId}`);
    await query(sql`update urls set fetched_at = now() - interval '25 hours' where id = ${ids[0]}`);
    await stallUrl(ids[2] ?? "", "fetching");

    const { roundTrips } = await measureDatabase(() => runCron({} as ScheduledController, testEnv));
    // Due urls, stalled urls, pending deletions and overdue webhook deliveries: one statement
    // each, whatever their number.
    expect(roundTrips).toBe(4);
    const [dueAfter, stuckAfter] = await Promise.all(
      [0, 2].map((i) =>
        waitForUrl(token, projectId, ids[i] ?? "", {
          done: (u) => u.status === "ready" && (u.fetched_at ?? "") > (before[i]?.fetched_at ?? ""),
        }),
      ),
    );
    expect(dueAfter?.content_hash).toBe(before[0]?.content_hash);
    expect(stuckAfter).toMatchObject({ status: "ready", last_error: null, error: null });
    const [freshRow] = await query<{ fetched_at: string }>(
      sql`select api_time(fetched_at) as fetched_at from urls where id = ${ids[1]}`,
    );
    expect(freshRow?.fetched_at).toBe(before[1]?.fetched_at);
  });

  it("re-queues a url that keeps stalling at most INGEST_STUCK_MAX_REQUEUES times, then fails it with INGEST_TIMEOUT", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const [row] = await query<{ id: string }>(
      sql`insert into urls (project_id, url, normalized_url, status)
          values (${projectId}, ${site("/gen/904")}, ${site("/gen/904")}, 'fetching') returning id`,
    );
    const urlId = row?.id ?? "";
    const db = getDb(testEnv);
    for (let round = 1; round <= stall.maxRequeues; round++) {
      await stallUrl(urlId, round % 2 ? "fetching" : "processing");
      expect(await reapStalledUrls(db, stall)).toContain(urlId);
      const url = await getUrl(owner.accessToken, projectId, urlId);
      expect(url).toMatchObject({ status: "queued", error: null });
      expect(url.last_error?.code).toBe("INGEST_TIMEOUT");
    }
    await stallUrl(urlId);
    expect(await reapStalledUrls(db, stall)).not.toContain(urlId);
    const url = await getUrl(owner.accessToken, projectId, urlId);
    expect(url.status).toBe("failed");
    expect(url.error?.code).toBe("INGEST_TIMEOUT");
  });

  it("leaves a url alone until its deadline, however long it has been waiting for a retry", async () => {
    const { token, projectId, url } = await readyUrl("/gen/905");
    // Just inside the deadline: a retry delayed by INGEST_RETRY_MAX_SECONDS is this old at most.
    await stallUrl(url.id, "queued", -120);
    expect(await reapStalledUrls(getDb(testEnv), stall)).not.toContain(url.id);
    expect((await getUrl(token, projectId, url.id)).status).toBe("queued");
  });

  it("a ready url whose refresh times out stays ready on its previous chunks, staged ones removed", async () => {
    const { token, projectId, url } = await readyUrl("/article");
    // A dead attempt left a half-written generation behind.
    await query(
      sql`insert into chunks (url_id, project_id, generation, position, text, token_count, content_hash)
          values (${url.id}, ${projectId}, nextval('chunk_generations'), 0, 'half written', 2, 'x')`,
    );
    await query(sql`update urls set stalls = ${stall.maxRequeues} where id = ${url.id}`);
    await stallUrl(url.id);
    await reapStalledUrls(getDb(testEnv), stall);

    const after = await getUrl(token, projectId, url.id);
    expect(after).toMatchObject({ status: "ready", error: null, chunk_count: url.chunk_count });
    expect(after.last_error?.code).toBe("INGEST_TIMEOUT");
    const [counts] = await query<{ all: number }>(
      sql`select count(*)::int as all from chunks where url_id = ${url.id}`,
    );
    expect(counts?.all).toBe(url.chunk_count);
    const results = await expectStatus<{ results: unknown[] }>(
      await call("POST", `/v1/projects/${projectId}/search`, {
        token,
        body: { query: "tomatoes balcony", mode: "keyword" },
      }),
      200,
    );
    expect(results.results.length).toBeGreaterThan(0);
  });
});
