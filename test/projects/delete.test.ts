import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sql } from "../../src/database";
import { call, countRoundTrips, expectProblem } from "../support/api";
import { createUser } from "../support/factories";
import { query, seedProject, seedUrls } from "./fixtures";

describe("DELETE /v1/projects/{project_id}", () => {
  // Only the message is checked here; consuming it is the queue consumer's business.
  afterEach(() => vi.restoreAllMocks());

  it("removes the project with its urls, chunks, shares and links and queues its snapshots", async () => {
    const [owner, viewer] = await Promise.all([createUser(), createUser()]);
    const { projectId } = await seedProject(owner.id, { v: { userId: viewer.id, role: "viewer" } });
    await seedUrls(projectId, ["ready", "failed"], 2);
    const sendBatch = vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("DELETE", `/v1/projects/${projectId}`, { token: owner.accessToken }),
    );
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    expect(sendBatch).toHaveBeenCalledWith([
      {
        body: {
          kind: "delete-prefix",
          prefix: `projects/${projectId}/`,
          deletionId: expect.any(String),
        },
      },
    ]);
    const [left] = await query<Record<string, number>>(
      sql`select (select count(*)::int from projects where id = ${projectId}) as projects,
                 (select count(*)::int from urls where project_id = ${projectId}) as urls,
                 (select count(*)::int from chunks where project_id = ${projectId}) as chunks,
                 (select count(*)::int from project_shares where project_id = ${projectId}) as shares,
                 (select count(*)::int from project_links where project_id = ${projectId}) as links`,
    );
    expect(left).toEqual({ projects: 0, urls: 0, chunks: 0, shares: 0, links: 0 });
    await expectProblem(
      await call("GET", `/v1/projects/${projectId}`, { token: owner.accessToken }),
      404,
      "PROJECT_NOT_FOUND",
    );
  });

  it("is 404 the second time and queues nothing for a project that is not yours", async () => {
    const [owner, stranger] = await Promise.all([createUser(), createUser()]);
    const { projectId } = await seedProject(owner.id);
    const sendBatch = vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    await expectProblem(
      await call("DELETE", `/v1/projects/${projectId}`, { token: stranger.accessToken }),
      404,
      "PROJECT_NOT_FOUND",
    );
    expect(sendBatch).not.toHaveBeenCalled();
    expect(
      (await call("DELETE", `/v1/projects/${projectId}`, { token: owner.accessToken })).status,
    ).toBe(204);
    await expectProblem(
      await call("DELETE", `/v1/projects/${projectId}`, { token: owner.accessToken }),
      404,
      "PROJECT_NOT_FOUND",
    );
  });
});
