import { beforeAll, describe, expect, it } from "vitest";
import type { Chunk, ChunkWithUrl } from "../../src/chunks/schemas";
import type { Page } from "../../src/pagination";
import { seedProject } from "../projects/fixtures";
import { GUIDE, RECIPES, type SeededUrl, seedDocument } from "../search/seed";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

let users: Record<"owner" | "viewer" | "editor" | "stranger", TestUser>;
let projectId: string;
let guide: SeededUrl;
let foreign: SeededUrl;

beforeAll(async () => {
  const [owner, viewer, editor, stranger] = await Promise.all(
    Array.from({ length: 4 }, () => createUser()),
  );
  users = { owner, viewer, editor, stranger } as typeof users;
  ({ projectId } = await seedProject(users.owner.id, {
    viewer: { userId: users.viewer.id, role: "viewer" },
    editor: { userId: users.editor.id, role: "editor" },
  }));
  guide = await seedDocument(projectId, GUIDE);
  const elsewhere = await seedProject(users.stranger.id);
  foreign = await seedDocument(elsewhere.projectId, RECIPES);
});

describe("GET /v1/projects/:id/urls/:url_id/chunks", () => {
  it("pages through a url's chunks in document order, one round trip a page", async () => {
    const seen: Chunk[] = [];
    let cursor: string | null = null;
    do {
      const qs: string = `?limit=4${cursor ? `&cursor=${cursor}` : ""}`;
      const { result, roundTrips } = await countRoundTrips(() =>
        call("GET", `/v1/projects/${projectId}/urls/${guide.urlId}/chunks${qs}`, {
          token: users.viewer.accessToken,
        }),
      );
      const page: Page<Chunk> = await expectStatus<Page<Chunk>>(result, 200);
      expect(roundTrips).toBe(1);
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.map((c) => c.position)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen[2]).toEqual({
      id: guide.chunks[2]?.id,
      position: 2,
      text: GUIDE.sections[2].text,
      heading_path: GUIDE.sections[2].headingPath,
      token_count: Math.ceil(GUIDE.sections[2].text.length / 4),
    });
  });

  it("answers an exact last page with next_cursor null", async () => {
    const page = await expectStatus<Page<Chunk>>(
      await call("GET", `/v1/projects/${projectId}/urls/${guide.urlId}/chunks?limit=6`, {
        token: users.owner.accessToken,
      }),
      200,
    );
    expect(page.items).toHaveLength(6);
    expect(page.next_cursor).toBeNull();
  });

  it("is 404 URL_NOT_FOUND for a url of another project or none, 422 for a bad cursor", async () => {
    for (const urlId of [foreign.urlId, crypto.randomUUID()]) {
      const { result, roundTrips } = await countRoundTrips(() =>
        call("GET", `/v1/projects/${projectId}/urls/${urlId}/chunks`, {
          token: users.owner.accessToken,
        }),
      );
      await expectProblem(result, 404, "URL_NOT_FOUND");
      expect(roundTrips).toBe(1);
    }
    await expectProblem(
      await call("GET", `/v1/projects/${projectId}/urls/${guide.urlId}/chunks?cursor=garbage`, {
        token: users.owner.accessToken,
      }),
      422,
      "INVALID_CURSOR",
    );
    await expectProblem(
      await call("GET", `/v1/projects/${projectId}/urls/not-a-uuid/chunks`, {
        token: users.owner.accessToken,
      }),
      422,
      "VALIDATION_FAILED",
    );
  });

  it.each([
    ["stranger", 404],
    ["viewer", 200],
    ["editor", 200],
    ["owner", 200],
  ] as const)("by a %s is %i, in one round trip", async (who, status) => {
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `/v1/projects/${projectId}/urls/${guide.urlId}/chunks`, {
        token: users[who].accessToken,
      }),
    );
    if (status === 404) await expectProblem(result, 404, "PROJECT_NOT_FOUND");
    else expect((await expectStatus<Page<Chunk>>(result, 200)).items).toHaveLength(6);
    expect(roundTrips).toBe(1);
  });
});

describe("GET /v1/projects/:id/chunks/:chunk_id", () => {
  it("answers the chunk with its url", async () => {
    const chunk = await expectStatus<ChunkWithUrl>(
      await call("GET", `/v1/projects/${projectId}/chunks/${guide.chunks[4]?.id}`, {
        token: users.viewer.accessToken,
      }),
      200,
    );
    expect(chunk).toEqual({
      id: guide.chunks[4]?.id,
      position: 4,
      text: GUIDE.sections[4].text,
      heading_path: GUIDE.sections[4].headingPath,
      token_count: Math.ceil(GUIDE.sections[4].text.length / 4),
      url: { id: guide.urlId, url: guide.url, title: GUIDE.title },
    });
  });

  it("is 404 CHUNK_NOT_FOUND for another project's chunk or none, 422 for a bad id", async () => {
    for (const chunkId of [foreign.chunks[0]?.id, crypto.randomUUID()]) {
      await expectProblem(
        await call("GET", `/v1/projects/${projectId}/chunks/${chunkId}`, {
          token: users.owner.accessToken,
        }),
        404,
        "CHUNK_NOT_FOUND",
      );
    }
    await expectProblem(
      await call("GET", `/v1/projects/${projectId}/chunks/123`, {
        token: users.owner.accessToken,
      }),
      422,
      "VALIDATION_FAILED",
    );
  });

  it.each([
    ["stranger", 404],
    ["viewer", 200],
    ["editor", 200],
    ["owner", 200],
  ] as const)("by a %s is %i, in one round trip", async (who, status) => {
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `/v1/projects/${projectId}/chunks/${guide.chunks[0]?.id}`, {
        token: users[who].accessToken,
      }),
    );
    if (status === 404) await expectProblem(result, 404, "PROJECT_NOT_FOUND");
    else expect((await expectStatus<ChunkWithUrl>(result, 200)).id).toBe(guide.chunks[0]?.id);
    expect(roundTrips).toBe(1);
  });

  it("is 401 without credentials", async () => {
    await expectProblem(
      await call("GET", `/v1/projects/${projectId}/chunks/${guide.chunks[0]?.id}`),
      401,
      "NOT_AUTHENTICATED",
    );
  });
});
