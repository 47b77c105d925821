import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { embeddingInput } from "../../src/chunks/chunker";
import type { Env } from "../../src/config";
import { getDb, sql } from "../../src/database";
import type { SearchResponse } from "../../src/search/schemas";
import { createEmbedder, LOCAL_MODEL, toVectorLiteral } from "../../src/vectorization/embedders";
import type { EmbeddingModels, VectorizationStatus } from "../../src/vectorization/schemas";
import { reembedProject } from "../../src/vectorization/service";
import { query, seedProject } from "../projects/fixtures";
import { GUIDE, RECIPES, seedDocument, testConfig } from "../search/seed";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

const workerEnv = env as unknown as Env;

/** A project with 6 current chunks, 2 from a retired model and 1 never embedded. */
async function seedMixed() {
  const [owner, viewer, editor, stranger] = await Promise.all([
    createUser(),
    createUser(),
    createUser(),
    createUser(),
  ]);
  const users: Record<string, TestUser> = { owner, viewer, editor, stranger };
  const { projectId } = await seedProject(owner.id, {
    viewer: { userId: viewer.id, role: "viewer" },
    editor: { userId: editor.id, role: "editor" },
  });
  const current = await seedDocument(projectId, GUIDE);
  const retired = await seedDocument(projectId, RECIPES, { model: "retired-model-v0" });
  const missing = await seedDocument(
    projectId,
    { title: "Draft", sections: [{ headingPath: ["Draft"], text: "Unembedded glossary entry" }] },
    { embed: false },
  );
  return { users, projectId, current, retired, missing };
}

let send: ReturnType<typeof vi.fn>;
beforeEach(() => {
  send = vi.fn().mockResolvedValue(undefined);
  vi.spyOn(env.INGEST_QUEUE, "send").mockImplementation(send as never);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /v1/vectorization/models", () => {
  it("lists providers and models with the active one, without the database", async () => {
    const user = await createUser();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", "/v1/vectorization/models", { token: user.accessToken }),
    );
    const body = await expectStatus<EmbeddingModels>(result, 200);
    expect(roundTrips).toBe(0);
    expect(body.active).toEqual({ provider: "local", model: LOCAL_MODEL, dimensions: 384 });
    expect(body.dimensions).toBe(384);
    expect(body.models.map((m) => m.provider)).toEqual(["local", "workers-ai", "openai"]);
    expect(body.models.filter((m) => m.active)).toEqual([{ ...body.active, active: true }]);
  });

  it("is 401 without credentials", async () => {
    await expectProblem(await call("GET", "/v1/vectorization/models"), 401, "NOT_AUTHENTICATED");
  });
});

describe("GET /v1/projects/:id/vectorization", () => {
  it.each([
    ["stranger", 404],
    ["viewer", 200],
    ["editor", 200],
    ["owner", 200],
  ] as const)("by a %s is %i with the counts, in one round trip", async (who, status) => {
    const { users, projectId } = await seedMixed();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `/v1/projects/${projectId}/vectorization`, { token: users[who]?.accessToken }),
    );
    expect(roundTrips).toBe(1);
    if (status === 404) {
      await expectProblem(result, 404, "PROJECT_NOT_FOUND");
      return;
    }
    expect(await expectStatus<VectorizationStatus>(result, 200)).toEqual({
      model: LOCAL_MODEL,
      provider: "local",
      dimensions: 384,
      chunks_total: 9,
      chunks_embedded: 6,
      chunks_stale: 3,
    });
  });
});

describe("POST /v1/projects/:id/vectorization", () => {
  it.each([
    ["stranger", 404, "PROJECT_NOT_FOUND"],
    ["viewer", 403, "INSUFFICIENT_ROLE"],
    ["editor", 202, null],
    ["owner", 202, null],
  ] as const)("by a %s is %i, one round trip", async (who, status, code) => {
    const { users, projectId } = await seedMixed();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `/v1/projects/${projectId}/vectorization`, { token: users[who]?.accessToken }),
    );
    expect(roundTrips).toBe(1);
    if (code) {
      await expectProblem(result, status, code);
      expect(send).not.toHaveBeenCalled();
      return;
    }
    const body = await expectStatus<VectorizationStatus>(result, 202);
    expect(body.chunks_stale).toBe(3);
    expect(send).toHaveBeenCalledExactlyOnceWith({ kind: "reembed", projectId });
  });

  it("queues nothing when every chunk is current", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    await seedDocument(projectId, GUIDE);
    const body = await expectStatus<VectorizationStatus>(
      await call("POST", `/v1/projects/${projectId}/vectorization`, { token: owner.accessToken }),
      202,
    );
    expect(body).toMatchObject({ chunks_total: 6, chunks_embedded: 6, chunks_stale: 0 });
    expect(send).not.toHaveBeenCalled();
  });
});

describe("reembedProject", () => {
  const db = () => getDb(workerEnv);

  it("embeds only the missing and stale chunks, as ingestion would, and the counts follow", async () => {
    const { users, projectId, current, retired, missing } = await seedMixed();
    // A marker on a current chunk: re-embedding it would overwrite the marker.
    const marker = toVectorLiteral(Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0)));
    await query(
      sql`update chunks set embedding = ${marker}::vector where id = ${current.chunks[0]?.id}`,
    );

    const embedded = await reembedProject({
      db: db(),
      env: workerEnv,
      config: testConfig(),
      projectId,
    });
    expect(embedded).toBe(3);
    expect(send).not.toHaveBeenCalled();

    const [kept] = await query<{ distance: number }>(
      sql`select embedding <=> ${marker}::vector as distance from chunks where id = ${current.chunks[0]?.id}`,
    );
    expect(kept?.distance).toBeCloseTo(0, 6);
    const local = createEmbedder({ provider: "local" });
    const redone = [
      ...retired.chunks.map((c) => ({ c, title: RECIPES.title })),
      { c: missing.chunks[0], title: "Draft" },
    ];
    for (const { c, title } of redone) {
      if (!c) throw new Error("seed");
      const [expected] = await local.embed([
        embeddingInput(title, {
          position: c.position,
          text: c.text,
          headingPath: c.headingPath,
          tokenCount: 0,
        }),
      ]);
      const [row] = await query<{ distance: number; embedding_model: string }>(
        sql`select embedding <=> ${toVectorLiteral(expected as number[])}::vector as distance,
                   embedding_model from chunks where id = ${c.id}`,
      );
      expect(row?.embedding_model).toBe(LOCAL_MODEL);
      expect(row?.distance).toBeCloseTo(0, 5);
    }

    const status = await expectStatus<VectorizationStatus>(
      await call("GET", `/v1/projects/${projectId}/vectorization`, {
        token: users.viewer?.accessToken,
      }),
      200,
    );
    expect(status).toMatchObject({ chunks_total: 9, chunks_embedded: 9, chunks_stale: 0 });
    expect(
      await reembedProject({ db: db(), env: workerEnv, config: testConfig(), projectId }),
    ).toBe(0);

    // The re-embedded chunks are now found by semantic search.
    const found = await expectStatus<SearchResponse>(
      await call("POST", `/v1/projects/${projectId}/search`, {
        token: users.viewer?.accessToken,
        body: { query: "feed the sourdough starter", mode: "semantic" },
      }),
      200,
    );
    expect(found.results[0]?.chunk_id).toBe(retired.chunks[0]?.id);
  });

  it("works in batches, re-enqueueing itself until none are left", async () => {
    const { projectId } = await seedMixed();
    const calls: number[] = [];
    for (let i = 0; i < 5; i++) {
      calls.push(
        await reembedProject({
          db: db(),
          env: workerEnv,
          config: testConfig(),
          projectId,
          batchSize: 2,
        }),
      );
    }
    expect(calls).toEqual([2, 1, 0, 0, 0]);
    // After the first batch one chunk remained; after the second none did.
    expect(send).toHaveBeenCalledExactlyOnceWith({ kind: "reembed", projectId });
  });
});
