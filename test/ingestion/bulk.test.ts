import { describe, expect, it } from "vitest";
import type { Project } from "../../src/projects/schemas";
import type { Url } from "../../src/urls/schemas";
import { seedProject } from "../projects/fixtures";
import { call, countRoundTrips, expectStatus } from "../support/api";
import { createUser } from "../support/factories";
import { eventually, site } from "./helpers";

describe("100 urls at once", () => {
  it("are added in one round trip and all reach ready within 60 s; the counts match", async () => {
    // The wait runs past the bound, so a slow run fails the bound below, not the wait.
    const boundSeconds = 60;
    const owner = await createUser();
    const token = owner.accessToken;
    const { projectId } = await seedProject(owner.id);
    const urls = Array.from({ length: 100 }, (_, i) => site(`/gen/${i}`));
    const started = Date.now();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `/v1/projects/${projectId}/urls`, { token, body: { urls } }),
    );
    const { items } = await expectStatus<{ items: Url[] }>(result, 202);
    expect(roundTrips).toBe(1);
    expect(items).toHaveLength(100);

    let project: Project | undefined;
    await eventually(
      async () => {
        project = await expectStatus<Project>(
          await call("GET", `/v1/projects/${projectId}`, { token }),
          200,
        );
        return project.counts.urls_ready + project.counts.urls_failed === 100;
      },
      boundSeconds * 2 * 1000,
      "100 urls final",
      // Polling slower than the reads rate limit allows one caller.
      250,
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`100 urls ready in ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(boundSeconds);
    expect(project?.counts).toMatchObject({ urls: 100, urls_ready: 100, urls_failed: 0 });

    const listed = await expectStatus<{ items: Url[]; next_cursor: string | null }>(
      await call("GET", `/v1/projects/${projectId}/urls?status=ready&limit=100`, { token }),
      200,
    );
    expect(listed.items).toHaveLength(100);
    const chunkSum = listed.items.reduce((sum, url) => sum + url.chunk_count, 0);
    expect(chunkSum).toBeGreaterThanOrEqual(200);
    expect(project?.counts.chunks).toBe(chunkSum);
  }, 180_000);
});
