import { beforeAll, describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import { RRF_K, RRF_WEIGHTS } from "../../src/search/constants";
import type { SearchResponse } from "../../src/search/schemas";
import { query, seedProject } from "../projects/fixtures";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";
import { GUIDE, RECIPES, SECTION_QUERIES, type SeededUrl, seedDocument } from "./seed";

const MODES = ["keyword", "semantic", "hybrid"] as const;

let owner: TestUser;
let viewer: TestUser;
let editor: TestUser;
let stranger: TestUser;
let projectId: string;
let guide: SeededUrl;
let recipes: SeededUrl;
/** Viewers the searches rotate over: one caller may embed 30 queries a minute (rate limits). */
let readers: TestUser[];
let turn = 0;
const reader = () => readers[turn++ % readers.length]?.accessToken;

async function search(body: object, token = reader(), id = projectId) {
  return expectStatus<SearchResponse>(
    await call("POST", `/v1/projects/${id}/search`, { token, body }),
    200,
  );
}

beforeAll(async () => {
  [owner, viewer, editor, stranger] = await Promise.all([
    createUser(),
    createUser(),
    createUser(),
    createUser(),
  ]);
  readers = await Promise.all(Array.from({ length: 6 }, () => createUser()));
  ({ projectId } = await seedProject(owner.id, {
    viewer: { userId: viewer.id, role: "viewer" },
    editor: { userId: editor.id, role: "editor" },
    ...Object.fromEntries(
      readers.map((r, i) => [`reader${i}`, { userId: r.id, role: "viewer" as const }]),
    ),
  }));
  guide = await seedDocument(projectId, GUIDE);
  recipes = await seedDocument(projectId, RECIPES);
});

describe("POST /v1/projects/:id/search", () => {
  it.each(MODES.flatMap((mode) => SECTION_QUERIES.map(([section, q]) => ({ mode, section, q }))))(
    "$mode: “$q” finds section $section first",
    async ({ mode, section, q }) => {
      const { results } = await search({ query: q, mode });
      expect(results[0]?.chunk_id).toBe(guide.chunks[section]?.id);
      expect(results[0]?.heading_path).toEqual(GUIDE.sections[section]?.headingPath);
    },
  );

  it.each(MODES)(
    "%s answers the full result shape, best first, in one round trip",
    async (mode) => {
      const { result, roundTrips } = await countRoundTrips(() =>
        call("POST", `/v1/projects/${projectId}/search`, {
          token: viewer.accessToken,
          body: { query: "rotate the old API keys", mode },
        }),
      );
      const body = await expectStatus<SearchResponse>(result, 200);
      expect(roundTrips).toBe(1);
      expect(body.mode).toBe(mode);
      expect(body.took_ms).toBeGreaterThanOrEqual(0);
      const top = body.results[0];
      expect(top).toEqual({
        chunk_id: guide.chunks[2]?.id,
        score: expect.any(Number),
        scores: {
          keyword: mode === "semantic" ? null : expect.any(Number),
          semantic: mode === "keyword" ? null : expect.any(Number),
          fused: mode === "hybrid" ? top?.score : null,
        },
        ranks: { keyword: mode === "semantic" ? null : 1, semantic: mode === "keyword" ? null : 1 },
        text: GUIDE.sections[2].text,
        highlight: expect.stringContaining("<b>"),
        heading_path: GUIDE.sections[2].headingPath,
        position: 2,
        url: { id: guide.urlId, url: guide.url, title: GUIDE.title },
      });
      const scores = body.results.map((r) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    },
  );

  it("defaults to hybrid mode and ten results", async () => {
    const body = await search({ query: "the database snapshot" });
    expect(body.mode).toBe("hybrid");
    // Semantic candidates cover every embedded chunk of the project (8 < 10).
    expect(body.results).toHaveLength(GUIDE.sections.length + RECIPES.sections.length);
  });

  it.each(MODES)("%s highlights the query's terms in <b> marks", async (mode) => {
    const { results } = await search({ query: "sourdough starter", mode });
    expect(results[0]?.chunk_id).toBe(recipes.chunks[0]?.id);
    expect(results[0]?.highlight).toContain("<b>sourdough</b>");
    expect(results[0]?.highlight).toContain("<b>starter</b>");
  });

  it("escapes page text in highlights so only its own <b> marks are markup", async () => {
    const { projectId: id } = await seedProject(owner.id);
    await seedDocument(id, {
      title: "XSS",
      sections: [
        { headingPath: [], text: 'Beware <script>alert("owned")</script> & injected markup' },
      ],
    });
    const { results } = await search(
      { query: "injected markup", mode: "keyword" },
      owner.accessToken,
      id,
    );
    expect(results[0]?.highlight).toContain("&lt;script&gt;");
    expect(results[0]?.highlight).toContain("<b>markup</b>");
    expect(results[0]?.highlight).not.toContain("<script>");
    expect(results[0]?.text).toContain("<script>");
  });

  it("understands websearch syntax in keyword mode: phrases and exclusions", async () => {
    const phrase = await search({ query: '"lid on for twenty minutes"', mode: "keyword" });
    expect(phrase.results.map((r) => r.chunk_id)).toEqual([recipes.chunks[1]?.id]);
    const rotate = await search({ query: "rotate", mode: "keyword" });
    expect(rotate.results.map((r) => r.chunk_id).sort()).toEqual(
      [guide.chunks[2]?.id, recipes.chunks[1]?.id].sort(),
    );
    const notBread = await search({ query: "rotate -loaf", mode: "keyword" });
    expect(notBread.results.map((r) => r.chunk_id)).toEqual([guide.chunks[2]?.id]);
  });

  it("finds nothing for stop words alone in keyword mode", async () => {
    expect((await search({ query: "the of and", mode: "keyword" })).results).toEqual([]);
  });

  it.each(MODES)("%s keeps to url_ids", async (mode) => {
    const { results } = await search({
      query: "rotate the pot or the keys",
      mode,
      url_ids: [recipes.urlId],
    });
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.url.id === recipes.urlId)).toBe(true);
    const none = await search({ query: "rotate", mode, url_ids: [crypto.randomUUID()] });
    expect(none.results).toEqual([]);
  });

  it.each(MODES)("%s drops results below min_score", async (mode) => {
    const all = await search({
      query: "slow queries or missing index or database",
      mode,
      top_k: 50,
    });
    expect(all.results.length).toBeGreaterThan(1);
    const [best, second] = all.results;
    const cut = ((best?.score ?? 0) + (second?.score ?? 0)) / 2;
    const some = await search({
      query: "slow queries or missing index or database",
      mode,
      min_score: cut,
    });
    expect(some.results.map((r) => r.chunk_id)).toEqual([best?.chunk_id]);
    const none = await search({
      query: "slow queries or missing index or database",
      mode,
      min_score: 1e6,
    });
    expect(none.results).toEqual([]);
  });

  it.each(MODES)("%s returns at most top_k results", async (mode) => {
    for (const top_k of [1, 3, 50]) {
      const { results } = await search({
        query: "database or storage or snapshot or keys",
        mode,
        top_k,
      });
      expect(results.length).toBeLessThanOrEqual(top_k);
      expect(results.length).toBeGreaterThan(0);
    }
    expect((await search({ query: "database", mode, top_k: 1 })).results).toHaveLength(1);
  });

  it("scores: keyword is BM25, semantic is cosine similarity, hybrid fuses their ranks", async () => {
    const q = "rotate API keys";
    const [keyword, semantic, hybrid] = await Promise.all(
      (["keyword", "semantic", "hybrid"] as const).map((mode) => search({ query: q, mode })),
    );
    for (const r of keyword?.results ?? []) {
      expect(r.score).toBeGreaterThan(0);
      expect(r.scores.keyword).toBe(r.score);
    }
    for (const r of semantic?.results ?? []) {
      expect(r.score).toBeLessThanOrEqual(1.000001);
      expect(r.scores.semantic).toBe(r.score);
    }
    // Hybrid reports each list's own score and rank beside the fused one.
    const [top] = hybrid?.results ?? [];
    expect(top?.scores.keyword).toBeCloseTo(keyword?.results[0]?.score ?? Number.NaN, 9);
    expect(top?.scores.semantic).toBeCloseTo(semantic?.results[0]?.score ?? Number.NaN, 9);
    expect(top?.ranks).toEqual({ keyword: 1, semantic: 1 });
    expect(top?.score).toBeCloseTo((RRF_WEIGHTS.keyword + RRF_WEIGHTS.semantic) / (RRF_K + 1), 9);
  });

  describe("keyword ranking (BM25)", () => {
    let id: string;
    let rare: SeededUrl;
    let common: SeededUrl;
    beforeAll(async () => {
      ({ projectId: id } = await seedProject(owner.id));
      // "database" is in every chunk, "zeppelin" in one: the rare term carries the query.
      common = await seedDocument(id, {
        title: "Databases",
        sections: [
          { headingPath: [], text: "The database database keeps a database of records." },
          { headingPath: [], text: "A database index speeds up database reads." },
          { headingPath: [], text: "Back up the database every night." },
        ],
      });
      rare = await seedDocument(id, {
        title: "Airships",
        sections: [
          { headingPath: [], text: "The zeppelin logbook is kept in a database." },
          { headingPath: [], text: "Hangar doors open at dawn for the crew." },
        ],
      });
    });
    const keyword = (query: string) =>
      search({ query, mode: "keyword", top_k: 50 }, owner.accessToken, id);

    it("ranks a chunk with a rare term above chunks repeating a common one", async () => {
      const { results } = await keyword("database zeppelin");
      expect(results[0]?.chunk_id).toBe(rare.chunks[0]?.id);
      expect(results.map((r) => r.chunk_id).sort()).toEqual(
        [...common.chunks.map((c) => c.id), rare.chunks[0]?.id].sort(),
      );
    });

    it("finds a chunk that matches only some of a question's words", async () => {
      const { results } = await keyword("when does the hangar of an airship open its doors?");
      expect(results.map((r) => r.chunk_id)).toEqual([rare.chunks[1]?.id]);
      const guideHit = await search({
        query: "how do I rotate the signing keys of a worker",
        mode: "keyword",
      });
      expect(guideHit.results[0]?.chunk_id).toBe(guide.chunks[2]?.id);
    });

    it("saturates term frequency: three occurrences score more than two, not 1.5 times as much", async () => {
      const { results } = await keyword("database");
      expect(results[0]?.chunk_id).toBe(common.chunks[0]?.id);
      const [first, second] = results;
      // Three occurrences against two in a chunk of similar length: more, but not 1.5 times.
      expect((first?.score ?? 0) / (second?.score ?? 1)).toBeLessThan(1.5);
    });

    it("requires phrases and exclusions while other terms stay optional", async () => {
      const phrase = await keyword('"zeppelin logbook" hangar');
      expect(phrase.results.map((r) => r.chunk_id)).toEqual([rare.chunks[0]?.id]);
      const excluded = await keyword("database -zeppelin");
      expect(excluded.results.map((r) => r.chunk_id).sort()).toEqual(
        common.chunks.map((c) => c.id).sort(),
      );
      const either = await keyword("zeppelin or hangar");
      expect(either.results.map((r) => r.chunk_id).sort()).toEqual(
        rare.chunks.map((c) => c.id).sort(),
      );
    });
  });

  it.each([
    [{}, "body.query"],
    [{ query: "" }, "body.query"],
    [{ query: "   " }, "body.query"],
    [{ query: "x".repeat(1001) }, "body.query"],
    [{ query: "a", top_k: 0 }, "body.top_k"],
    [{ query: "a", top_k: 101 }, "body.top_k"],
    [{ query: "a", top_k: 2.5 }, "body.top_k"],
    [{ query: "a", mode: "fuzzy" }, "body.mode"],
    [{ query: "a", url_ids: ["not-a-uuid"] }, "body.url_ids.0"],
    [{ query: "a", url_ids: [] }, "body.url_ids"],
    [
      { query: "a", url_ids: Array.from({ length: 101 }, () => crypto.randomUUID()) },
      "body.url_ids",
    ],
    [{ query: "a", min_score: "high" }, "body.min_score"],
    [{ query: "a", extra: true }, "body"],
  ])("is 422 for %j", async (body, path) => {
    const problem = await expectProblem(
      await call("POST", `/v1/projects/${projectId}/search`, { token: reader(), body }),
      422,
      "VALIDATION_FAILED",
    );
    expect((problem as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe(path);
  });

  it("accepts a 1000-character query", async () => {
    const body = await search({ query: "backup ".repeat(143).slice(0, 1000) });
    expect(body.results.length).toBeGreaterThan(0);
  });

  it.each([
    ["stranger", 404],
    ["viewer", 200],
    ["editor", 200],
    ["owner", 200],
  ] as const)("by a %s is %i, in one round trip", async (who, status) => {
    const user = { stranger, viewer, editor, owner }[who];
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `/v1/projects/${projectId}/search`, {
        token: user.accessToken,
        body: { query: "backups" },
      }),
    );
    if (status === 404) await expectProblem(result, 404, "PROJECT_NOT_FOUND");
    else
      expect((await expectStatus<SearchResponse>(result, 200)).results.length).toBeGreaterThan(0);
    expect(roundTrips).toBe(1);
  });

  it("is 401 without credentials and 404 for an unknown project", async () => {
    await expectProblem(
      await call("POST", `/v1/projects/${projectId}/search`, { body: { query: "x" } }),
      401,
      "NOT_AUTHENTICATED",
    );
    await expectProblem(
      await call("POST", `/v1/projects/${crypto.randomUUID()}/search`, {
        token: owner.accessToken,
        body: { query: "x" },
      }),
      404,
      "PROJECT_NOT_FOUND",
    );
  });

  it("never returns another project's chunks, even for their exact text", async () => {
    const other = await seedProject(stranger.id);
    const theirs = await seedDocument(other.projectId, {
      title: "Secret plans",
      sections: [{ headingPath: [], text: "Quarterly zeppelin procurement budget for Atlantis" }],
    });
    for (const mode of MODES) {
      const { results } = await search({
        query: "quarterly zeppelin procurement budget Atlantis",
        mode,
        url_ids: [theirs.urlId, guide.urlId],
      });
      expect(results.some((r) => r.url.id === theirs.urlId)).toBe(false);
    }
  });

  it("semantic search skips chunks embedded with another model", async () => {
    const { projectId: id } = await seedProject(owner.id);
    const fresh = await seedDocument(id, RECIPES);
    const stale = await seedDocument(id, GUIDE, { model: "retired-model-v0" });
    const { results } = await search(
      { query: "rotate API keys", mode: "semantic", top_k: 50 },
      owner.accessToken,
      id,
    );
    expect(results.map((r) => r.url.id)).toEqual(fresh.chunks.map(() => fresh.urlId));
    const keyword = await search(
      { query: "rotate API keys", mode: "keyword" },
      owner.accessToken,
      id,
    );
    expect(keyword.results[0]?.url.id).toBe(stale.urlId);
    await query(sql`delete from projects where id = ${id}`);
  });
});
