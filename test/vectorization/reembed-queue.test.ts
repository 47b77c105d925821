import { describe, expect, it, vi } from "vitest";
import type { VectorizationStatus } from "../../src/vectorization/schemas";
import { seedProject } from "../projects/fixtures";
import { GUIDE, RECIPES, seedDocument } from "../search/seed";
import { call, expectStatus } from "../support/api";
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
