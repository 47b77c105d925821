import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { type Env, getConfig } from "../../src/config";
import { getDb, sql } from "../../src/database";
import worker from "../../src/main";
import type { VectorizationStatus } from "../../src/vectorization/schemas";
import * as vectorizationService from "../../src/vectorization/service";
import { query, seedProject } from "../projects/fixtures";
import { GUIDE, RECIPES, seedDocument } from "../search/seed";
import { call, expectStatus, freshIp } from "../support/api";
import { createUser } from "../support/factories";

describe("POST /v1/projects/:id/vectorization through the queue", () => {
  it("brings every chunk to the active model in the background", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    await seedDocument(projectId, GUIDE, { model: "retired-model-v0" });
    await seedDocument(projectId, RECIPES, { embed: false });
    const queued = await expectStatus<VectorizationStatus>(
      await call("POST", `/v1/projects/${projectId}/vectorization`, { token: owner.accessToken }),
      202,
    );
    expect(queued).toMatchObject({ chunks_total: 8, chunks_embedded: 0, chunks_stale: 8 });
    await vi.waitFor(
      async () => {
        const status = await expectStatus<VectorizationStatus>(
          await call("GET", `/v1/projects/${projectId}/vectorization`, {
            token: owner.accessToken,
          }),
          200,
        );
        expect(status).toMatchObject({ chunks_total: 8, chunks_embedded: 8, chunks_stale: 0 });
      },
      { timeout: 20_000, interval: 250 },
    );
  });
});

describe("one re-embedding at a time", () => {
  const testEnv = env as unknown as Env;

  it("joins the running chain instead of starting a second one, until its heartbeat stops", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    await seedDocument(projectId, GUIDE, { model: "retired-model-v0" });
    // A queue that records what is sent to it and delivers nothing.
    const sent: unknown[] = [];
    const recorder = {
      send: async (body: unknown) => void sent.push(body),
      sendBatch: async (batch: { body: unknown }[]) => void sent.push(...batch.map((m) => m.body)),
    } as unknown as Queue<unknown>;
    const post = async () => {
      const res = await worker.fetch(
        new Request(`http://linkbase.test/v1/projects/${projectId}/vectorization`, {
          method: "POST",
          headers: { Authorization: `Bearer ${owner.accessToken}`, "CF-Connecting-IP": freshIp() },
        }),
        { ...testEnv, INGEST_QUEUE: recorder },
        createExecutionContext(),
      );
      expect(res.status).toBe(202);
    };
    await post();
    await post();
    expect(sent).toEqual([{ kind: "reembed", projectId }]);
    // The chain died (its message went to the dead-letter queue): the next request restarts it.
    await query(
      sql`update reembeds set heartbeat_at = now() - interval '1 hour' where project_id = ${projectId}`,
    );
    await post();
    expect(sent).toHaveLength(2);
  });

  it("is idempotent per (chunk, model): a redelivered batch embeds nothing twice", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    await seedDocument(projectId, GUIDE, { model: "retired-model-v0" });
    await query(sql`insert into reembeds (project_id) values (${projectId})`);
    const run = () =>
      vectorizationService.reembedProject({
        db: getDb(testEnv),
        env: testEnv,
        config: getConfig(testEnv),
        projectId,
        requeue: false,
      });
    const [stale] = await query<{ n: number }>(
      sql`select count(*)::int as n from chunks where project_id = ${projectId}`,
    );
    const [first, second] = await Promise.all([run(), run()]);
    // Both deliveries may select the same stale chunks; only one writes each.
    expect((first ?? 0) + (second ?? 0)).toBe(stale?.n);
    expect(await run()).toBe(0);
    const [chain] = await query<{ n: number }>(
      sql`select count(*)::int as n from reembeds where project_id = ${projectId}`,
    );
    expect(chain?.n).toBe(0);
  });
});
