import { beforeAll, describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import { RATE_LIMIT_POLICIES } from "../../src/limits/constants";
import type { SearchResponse } from "../../src/search/schemas";
import { query, type SeededProject, seedProject } from "../projects/fixtures";
import {
  call,
  countRoundTrips,
  expectProblem,
  expectStatus,
  withinOneWindow,
} from "../support/api";
import { createUser, type TestUser } from "../support/factories";
import { GUIDE, RECIPES, SECTION_QUERIES, type SeededUrl, seedDocument } from "./seed";

const MODES = ["keyword", "semantic", "hybrid"] as const;

let shared: SeededProject;
let other: SeededProject;
let guide: SeededUrl;
let theirs: SeededUrl;
let owner: TestUser;

beforeAll(async () => {
  let stranger: TestUser;
  [owner, stranger] = await Promise.all([createUser(), createUser()]);
  shared = await seedProject(owner.id);
  other = await seedProject(stranger.id);
  guide = await seedDocument(shared.projectId, GUIDE);
  theirs = await seedDocument(other.projectId, RECIPES);
});

describe("POST /v1/shared/:token/search", () => {
  it.each(MODES)("%s works without credentials, in one round trip", async (mode) => {
    const [section, q] = SECTION_QUERIES[3] as [number, string];
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `/v1/shared/${shared.linkToken}/search`, { body: { query: q, mode } }),
    );
    const body = await expectStatus<SearchResponse>(result, 200);
    expect(roundTrips).toBe(1);
    expect(body.mode).toBe(mode);
    expect(body.results[0]?.chunk_id).toBe(guide.chunks[section]?.id);
    expect(body.results[0]?.url).toEqual({ id: guide.urlId, url: guide.url, title: GUIDE.title });
  });

  it.each(MODES)("%s ranks exactly as the owner's search of the project", async (mode) => {
    for (const q of [
      "how do I restore a backup of the database",
      '"too many requests" -zeppelin',
    ]) {
      const body = { query: q, mode, top_k: 20 };
      const [viaLink, asOwner] = await Promise.all([
        call("POST", `/v1/shared/${shared.linkToken}/search`, { body }),
        call("POST", `/v1/projects/${shared.projectId}/search`, { token: owner.accessToken, body }),
      ]);
      const linkResults = (await expectStatus<SearchResponse>(viaLink, 200)).results;
      expect(linkResults.length).toBeGreaterThan(0);
      expect(linkResults).toEqual((await expectStatus<SearchResponse>(asOwner, 200)).results);
    }
  });

  it.each(MODES)("%s cannot reach another project's chunks, even through url_ids", async (mode) => {
    const body = await expectStatus<SearchResponse>(
      await call("POST", `/v1/shared/${shared.linkToken}/search`, {
        body: { query: "sourdough starter flour", mode, url_ids: [theirs.urlId] },
      }),
      200,
    );
    expect(body.results).toEqual([]);
    const unfiltered = await expectStatus<SearchResponse>(
      await call("POST", `/v1/shared/${shared.linkToken}/search`, {
        body: { query: "sourdough starter flour", mode, top_k: 50 },
      }),
      200,
    );
    expect(unfiltered.results.every((r) => r.url.id === guide.urlId)).toBe(true);
  });

  it("is 429 with Retry-After once one address searches too often (before embedding anything)", async () => {
    const headers = { "CF-Connecting-IP": "203.0.113.199" };
    let limited: Response | undefined;
    await withinOneWindow(RATE_LIMIT_POLICIES.public.period);
    for (let attempt = 0; attempt < RATE_LIMIT_POLICIES.public.limit + 20 && !limited; attempt++) {
      const response = await call("POST", `/v1/shared/lbp_unknown${attempt}/search`, {
        headers,
        body: { query: "anything", mode: "keyword" },
      });
      if (response.status === 429) limited = response;
      else await expectProblem(response, 404, "SHARED_LINK_NOT_FOUND");
    }
    expect(limited).toBeDefined();
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectProblem(limited as Response, 429, "RATE_LIMITED");
  });

  it("is 404 for an unknown token, in one round trip", async () => {
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `/v1/shared/lbp_unknown${crypto.randomUUID()}/search`, {
        body: { query: "backups" },
      }),
    );
    await expectProblem(result, 404, "SHARED_LINK_NOT_FOUND");
    expect(roundTrips).toBe(1);
  });

  it("is 404 once the link has expired, and once it is revoked", async () => {
    const owner = await createUser();
    const project = await seedProject(owner.id);
    await seedDocument(project.projectId, GUIDE);
    const path = `/v1/shared/${project.linkToken}/search`;
    await expectStatus(await call("POST", path, { body: { query: "backups" } }), 200);
    await query(
      sql`update project_links set expires_at = now() - interval '1 second'
          where id = ${project.linkId}`,
    );
    await expectProblem(
      await call("POST", path, { body: { query: "backups" } }),
      404,
      "SHARED_LINK_NOT_FOUND",
    );
    await query(sql`update project_links set expires_at = null where id = ${project.linkId}`);
    await expectStatus(await call("POST", path, { body: { query: "backups" } }), 200);
    await expectStatus(
      await call("DELETE", `/v1/projects/${project.projectId}/links/${project.linkId}`, {
        token: owner.accessToken,
      }),
      204,
    );
    await expectProblem(
      await call("POST", path, { body: { query: "backups", mode: "keyword" } }),
      404,
      "SHARED_LINK_NOT_FOUND",
    );
  });

  it("validates the body like project search", async () => {
    await expectProblem(
      await call("POST", `/v1/shared/${shared.linkToken}/search`, {
        body: { query: "x", top_k: 101 },
      }),
      422,
      "VALIDATION_FAILED",
    );
  });

  it("is read-only: a link token is no credential for project search", async () => {
    await expectProblem(
      await call("POST", `/v1/projects/${shared.projectId}/search`, {
        token: shared.linkToken,
        body: { query: "backups" },
      }),
      401,
      "INVALID_TOKEN",
    );
  });
});
