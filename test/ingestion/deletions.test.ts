import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getS3 } from "../../src/aws/service";
import type { Env } from "../../src/config";
import { sql } from "../../src/database";
import { runCron } from "../../src/ingestion/scheduler";
import { projectPrefix, urlPrefix } from "../../src/ingestion/snapshots";
import worker from "../../src/main";
import { query, seedProject } from "../projects/fixtures";
import { freshIp } from "../support/api";
import { createUser } from "../support/factories";
import { addUrls, callQueueDown, eventually, site, waitForUrl } from "./helpers";

const testEnv = env as unknown as Env;
const keysUnder = async (prefix: string) => (await getS3(testEnv).list(prefix)).keys;

const pending = (prefix: string) =>
  query<{ id: string }>(sql`select id from storage_deletions where prefix = ${prefix}`);

/** The queue is back: the cron re-sends what is due, and the consumer empties the outbox. */
async function queueReturns(prefix: string) {
  await query(sql`update storage_deletions set retry_at = now() where prefix = ${prefix}`);
  await runCron({} as ScheduledController, testEnv);
  await eventually(
    async () => (await keysUnder(prefix)).length === 0 && (await pending(prefix)).length === 0,
    15_000,
    `snapshots under ${prefix} deleted and the outbox drained`,
  );
}

async function indexedUrl() {
  const owner = await createUser();
  const { projectId } = await seedProject(owner.id);
  const [item] = await addUrls(owner.accessToken, projectId, [site("/article")]);
  const url = await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
  expect(url.status).toBe("ready");
  expect(await keysUnder(urlPrefix(projectId, url.id))).toHaveLength(1);
  return { owner, projectId, urlId: url.id };
}

describe("deletes with the queue down", () => {
  it("a url delete commits, answers 204 and keeps its snapshot clean-up in the outbox", async () => {
    const { owner, projectId, urlId } = await indexedUrl();
    const res = await callQueueDown(
      "DELETE",
      `/v1/projects/${projectId}/urls/${urlId}`,
      owner.accessToken,
    );
    expect(res.status).toBe(204);
    const [gone] = await query<{ n: number }>(
      sql`select count(*)::int as n from urls where id = ${urlId}`,
    );
    expect(gone?.n).toBe(0);
    const prefix = urlPrefix(projectId, urlId);
    expect(await pending(prefix)).toHaveLength(1);
    expect(await keysUnder(prefix)).toHaveLength(1);
    await queueReturns(prefix);
  });

  it("a project delete does too", async () => {
    const { owner, projectId } = await indexedUrl();
    const res = await callQueueDown("DELETE", `/v1/projects/${projectId}`, owner.accessToken);
    expect(res.status).toBe(204);
    const prefix = projectPrefix(projectId);
    expect(await pending(prefix)).toHaveLength(1);
    expect(await keysUnder(prefix)).toHaveLength(1);
    await queueReturns(prefix);
  });

  it("an account delete does too, for every project it owned", async () => {
    const { owner, projectId } = await indexedUrl();
    const res = await callQueueDown("DELETE", "/v1/users/me", owner.accessToken);
    expect(res.status).toBe(204);
    const [left] = await query<{ n: number }>(
      sql`select count(*)::int as n from projects where id = ${projectId}`,
    );
    expect(left?.n).toBe(0);
    const prefix = projectPrefix(projectId);
    expect(await pending(prefix)).toHaveLength(1);
    await queueReturns(prefix);
  });

  it("with the queue up, the consumer empties the outbox without the cron", async () => {
    const { owner, projectId, urlId } = await indexedUrl();
    const prefix = urlPrefix(projectId, urlId);
    const res = await worker.fetch(
      new Request(`http://linkbase.test/v1/projects/${projectId}/urls/${urlId}`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${owner.accessToken}`, "CF-Connecting-IP": freshIp() },
      }),
      testEnv,
      createExecutionContext(),
    );
    expect(res.status).toBe(204);
    await eventually(
      async () => (await keysUnder(prefix)).length === 0 && (await pending(prefix)).length === 0,
      15_000,
      "outbox drained by the consumer",
    );
  });
});
