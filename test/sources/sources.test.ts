import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, inject, it } from "vitest";
import type { Env } from "../../src/config";
import { getDb, sql } from "../../src/database";
import { admit, loadSource } from "../../src/ingestion/discovery-store";
import type { Source } from "../../src/sources/schemas";
import { addUrls, waitForUrl } from "../ingestion/helpers";
import { projectFingerprint, query } from "../projects/fixtures";
import { DOCS_SITE_SHAPE, expectedCounts } from "../setup/docs-site-shape";
import { call, expectProblem, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

const SITE = inject("docsSiteUrl");
const EXPECTED = expectedCounts(DOCS_SITE_SHAPE);
const SYNC_TIMEOUT_MS = 150_000;

async function control(action: string, paths: string[] = [], extra = ""): Promise<unknown> {
  const res = await fetch(`${SITE}/_control/${action}?paths=${paths.join(",")}${extra}`, {
    method: action === "log" ? "GET" : "POST",
  });
  expect(res.ok).toBe(true);
  return res.json();
}

const requested = async () => (await control("log")) as string[];

async function newProject(owner: TestUser): Promise<string> {
  const project = await expectStatus<{ id: string }>(
    await call("POST", "/v1/projects", { token: owner.accessToken, body: { name: "Site" } }),
    201,
  );
  return project.id;
}

async function createSource(token: string, projectId: string, body: object): Promise<Source> {
  return expectStatus<Source>(
    await call("POST", `/v1/projects/${projectId}/sources`, { token, body }),
    202,
  );
}

/** Polls the source until its sync ends (`ready` or `failed`). */
async function waitForSync(token: string, projectId: string, sourceId: string): Promise<Source> {
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  for (;;) {
    const source = await expectStatus<Source>(
      await call("GET", `/v1/projects/${projectId}/sources/${sourceId}`, { token }),
      200,
    );
    if (source.status === "ready" || source.status === "failed") return source;
    if (Date.now() > deadline)
      expect.fail(`source still ${source.status}: ${JSON.stringify(source.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every path requested more than once, with its count. */
function repeats(paths: string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const path of paths) counts.set(path, (counts.get(path) ?? 0) + 1);
  return Object.fromEntries([...counts].filter(([, n]) => n > 1));
}

const countsOf = (source: Source) => {
  const { ready, failed, skipped_robots, skipped_pattern, skipped_duplicate, discovered } =
    source.counts;
  return { ready, failed, skipped_robots, skipped_pattern, skipped_duplicate, discovered };
};

describe("sources over a 525-url local site", () => {
  let owner: TestUser;

  beforeEach(async () => {
    owner ??= await createUser({ name: "Site owner" });
    await control("reset");
  });

  it(
    "a sitemap source brings the site to ready with exact counts, and a re-sync fetches only what changed",
    async () => {
      const projectId = await newProject(owner);
      const token = owner.accessToken;
      const created = await createSource(token, projectId, {
        type: "sitemap",
        url: `${SITE}/`,
        exclude: ["/tags/**"],
      });
      expect(created.status).toBe("discovering");
      const source = await waitForSync(token, projectId, created.id);
      expect(source.status).toBe("ready");
      expect(source.last_error).toBeNull();
      expect(countsOf(source)).toEqual(EXPECTED.sitemap);
      expect(source.counts.queued).toBe(0);

      const log = await requested();
      // robots.txt and patterns keep those pages out: never requested, not even once.
      expect(log.filter((path) => /^\/(private|tags)\//.test(path))).toEqual([]);
      // The index loops back to itself, and pages are listed once: each read once, except the
      // page that /old/1 redirects to.
      expect(repeats(log)).toEqual({ "/docs/1": 2 });
      expect(log).toContain("/sitemaps/blog.xml.gz");
      // One of each duplicate pair is kept; never both.
      const stored = await query<{ normalized_url: string; status: string }>(
        sql`select normalized_url, status from urls where project_id = ${projectId}`,
      );
      const paths = stored.map((row) => new URL(row.normalized_url).pathname);
      expect(paths.filter((p) => p === "/docs/0" || p === "/docs/dup")).toHaveLength(1);
      expect(paths).not.toContain("/old/1");
      expect(stored.find((row) => row.normalized_url.endsWith("/missing"))?.status).toBe("failed");

      // Re-sync: three pages change, one leaves the sitemap.
      await control("change", ["/docs/5", "/docs/6", "/blog/7"]);
      await control("unlist", ["/more/3"]);
      await control("clear-log");
      const again = await expectStatus<Source>(
        await call("POST", `/v1/projects/${projectId}/sources/${created.id}/sync`, { token }),
        202,
      );
      expect(again.sync).toBe(2);
      const resynced = await waitForSync(token, projectId, created.id);
      expect(resynced.status).toBe("ready");
      expect(resynced.counts.gone).toBe(1);
      expect(resynced.counts.ready).toBe(EXPECTED.sitemap.ready - 1);
      const pagesFetched = (await requested()).filter(
        (path) => !path.startsWith("/sitemap") && path !== "/robots.txt",
      );
      expect(pagesFetched.sort()).toEqual(["/blog/7", "/docs/5", "/docs/6"]);

      // The gone page's chunks leave search; the changed page's new text is found.
      const search = async (q: string) =>
        (
          await expectStatus<{ results: { url: { url: string } }[] }>(
            await call("POST", `/v1/projects/${projectId}/search`, {
              token,
              body: { query: q, mode: "keyword" },
            }),
            200,
          )
        ).results;
      expect(await search("more3v0marker")).toEqual([]);
      expect((await search("docs5v1marker"))[0]?.url.url).toBe(`${SITE}/docs/5`);
    },
    SYNC_TIMEOUT_MS * 2,
  );

  it(
    "a crawl source brings the site to ready with exact counts, each page fetched once",
    async () => {
      const projectId = await newProject(owner);
      const token = owner.accessToken;
      const created = await createSource(token, projectId, {
        type: "crawl",
        url: `${SITE}/`,
        exclude: ["/tags/**"],
        max_depth: 3,
      });
      const source = await waitForSync(token, projectId, created.id);
      expect(source.status).toBe("ready");
      expect(countsOf(source)).toEqual(EXPECTED.crawl);
      const log = await requested();
      expect(log.filter((path) => /^\/(private|tags)\//.test(path))).toEqual([]);
      // Link loops and fragments never fetch a page twice; /docs/1 is read twice only when the
      // crawl met /docs/1 before /old/1, which redirects to it.
      expect(Object.keys(repeats(log)).filter((path) => path !== "/docs/1")).toEqual([]);
      const urls = await query<{ depth: number; n: number }>(
        sql`select source_depth as depth, count(*)::int as n from urls
            where source_id = ${created.id} group by source_depth order by source_depth`,
      );
      expect(urls[0]).toEqual({ depth: 0, n: 1 });
    },
    SYNC_TIMEOUT_MS,
  );
});

describe("sources over a small part of the site", () => {
  beforeEach(async () => {
    await control("reset");
  });

  it(
    "a crawl re-sync makes a page that now answers 404 gone, and fetches every known page again",
    async () => {
      const owner = await createUser();
      const projectId = await newProject(owner);
      const token = owner.accessToken;
      // A webhook endpoint on the local test site (which answers 200 to any POST): its delivery
      // rows show which events were recorded.
      await query(
        sql`insert into webhook_endpoints (project_id, url, events, secret)
            values (${projectId}, ${`${inject("testSiteUrl")}/article`}, '{url.gone,source.synced}',
                    ${`whsec_${btoa("s".repeat(32))}`})`,
      );
      const created = await createSource(token, projectId, {
        type: "crawl",
        url: `${SITE}/more/`,
        include: ["/more/**"],
        max_depth: 1,
      });
      expect((await waitForSync(token, projectId, created.id)).counts.ready).toBe(21);
      await control("delete", ["/more/4"]);
      await control("clear-log");
      await expectStatus(
        await call("POST", `/v1/projects/${projectId}/sources/${created.id}/sync`, { token }),
        202,
      );
      const source = await waitForSync(token, projectId, created.id);
      expect(source.counts).toMatchObject({ ready: 20, gone: 1, failed: 0 });
      expect((await requested()).filter((path) => path.startsWith("/more/"))).toHaveLength(21);
      const [gone] = await query<{ status: string; chunks: number }>(
        sql`select u.status, (select count(*)::int from chunks c where c.url_id = u.id) as chunks
          from urls u where u.source_id = ${created.id} and u.normalized_url like '%/more/4'`,
      );
      // Kept until deleted, out of search.
      expect(gone?.status).toBe("gone");
      expect(gone?.chunks).toBeGreaterThan(0);
      const events = await query<{ event: string; n: number }>(
        sql`select d.event, count(*)::int as n from webhook_deliveries d
            join webhook_endpoints e on e.id = d.endpoint_id
            where e.project_id = ${projectId} group by d.event order by d.event`,
      );
      expect(events).toEqual([
        { event: "source.synced", n: 2 },
        { event: "url.gone", n: 1 },
      ]);
    },
    SYNC_TIMEOUT_MS,
  );

  it(
    "a robots.txt that keeps answering 503 fails the sync with ROBOTS_UNAVAILABLE; no page is fetched",
    async () => {
      await control("robots", [], "&status=503");
      const owner = await createUser();
      const projectId = await newProject(owner);
      const created = await createSource(owner.accessToken, projectId, {
        type: "crawl",
        url: `${SITE}/more/`,
      });
      const source = await waitForSync(owner.accessToken, projectId, created.id);
      expect(source.status).toBe("failed");
      expect(source.last_error?.code).toBe("ROBOTS_UNAVAILABLE");
      expect(source.counts.discovered).toBe(0);
      const log = await requested();
      expect(log.length).toBeGreaterThan(1);
      expect(log.every((path) => path === "/robots.txt")).toBe(true);
    },
    SYNC_TIMEOUT_MS,
  );

  it(
    "a source's page that redirects into a robots-disallowed path fails with ROBOTS_DISALLOWED, the target never requested; an added url's redirect is followed",
    async () => {
      const owner = await createUser();
      const token = owner.accessToken;
      const projectId = await newProject(owner);
      // Lists /moved/0 (302 to /private/0, which robots.txt disallows) and /old/1 (302 to /docs/1).
      const created = await createSource(token, projectId, {
        type: "sitemap",
        url: `${SITE}/sitemaps/moved.xml`,
      });
      const source = await waitForSync(token, projectId, created.id);
      expect(source.status).toBe("ready");
      // /old/1 became /docs/1 (skipped as its duplicate); /moved/0 failed, its target not added.
      expect(countsOf(source)).toEqual({
        ready: 1,
        failed: 1,
        skipped_robots: 0,
        skipped_pattern: 0,
        skipped_duplicate: 1,
        discovered: 3,
      });
      const log = await requested();
      expect(log).toContain("/moved/0");
      expect(log).toContain("/docs/1");
      expect(log.filter((path) => path.startsWith("/private/"))).toEqual([]);
      const [moved] = await query<{ status: string; error_code: string }>(
        sql`select status, error_code from urls
            where source_id = ${created.id} and normalized_url = ${`${SITE}/moved/0`}`,
      );
      expect(moved).toEqual({ status: "failed", error_code: "ROBOTS_DISALLOWED" });

      // Added by hand, the same page is fetched as before: robots.txt is a sources' rule.
      const other = await newProject(owner);
      const [added] = await addUrls(token, other, [`${SITE}/moved/0`]);
      const url = await waitForUrl(token, other, added?.id ?? "");
      expect(url.status).toBe("ready");
      expect(await requested()).toContain("/private/0");
    },
    SYNC_TIMEOUT_MS,
  );

  it(
    "a robots.txt Crawl-delay spaces the fetches of its host at least that far apart",
    async () => {
      await control("robots", [], "&delay=1");
      const owner = await createUser();
      const projectId = await newProject(owner);
      const created = await createSource(owner.accessToken, projectId, {
        type: "sitemap",
        url: `${SITE}/sitemaps/more.xml`,
        include: ["/more/1", "/more/2", "/more/3", "/more/4"],
      });
      const source = await waitForSync(owner.accessToken, projectId, created.id);
      expect(source.counts.ready).toBe(4);
      const log = (await control("log", [], "&timed=1")) as { path: string; at: number }[];
      // robots.txt is read before the delay is known; every fetch after it waits its turn.
      const fetches = log.filter((entry) => entry.path !== "/robots.txt");
      expect(fetches.map((entry) => entry.path).sort()).toEqual([
        "/more/1",
        "/more/2",
        "/more/3",
        "/more/4",
        "/sitemaps/more.xml",
      ]);
      const gaps = fetches.slice(1).map((entry, i) => entry.at - (fetches[i]?.at ?? 0));
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    },
    SYNC_TIMEOUT_MS,
  );

  it("discovery adds no url past the urls_per_project quota and says how many it left out", async () => {
    const owner = await createUser();
    const projectId = await newProject(owner);
    const [row] = await query<{ id: string }>(
      sql`insert into sources (project_id, type, url, max_pages, max_depth)
          values (${projectId}, 'crawl', ${`${SITE}/`}, 100, 3) returning id`,
    );
    const db = getDb(env as unknown as Env);
    const source = await loadSource(db, row?.id ?? "", null);
    if (!source) expect.fail("no source");
    const candidates = [1, 2, 3, 4, 5].map((n) => ({
      url: `${SITE}/more/${n}`,
      lastmod: null,
      depth: 1,
    }));
    const admission = await admit(db, source, { doc: null, candidates, skips: [], quota: 2 });
    expect(admission.queued).toHaveLength(2);
    expect(admission.overQuota).toBe(3);
    const [count] = await query<{ n: number }>(
      sql`select count(*)::int as n from urls where project_id = ${projectId}`,
    );
    expect(count?.n).toBe(2);
  });
});

describe("sources API", () => {
  // The docs site is shared: no other test's robots.txt or deleted pages leak in here.
  beforeEach(async () => {
    await control("reset");
  });

  it("POST …/sources refuses bad input with 422 and stores nothing", async () => {
    const owner = await createUser();
    const projectId = await newProject(owner);
    const before = await projectFingerprint(projectId);
    const post = (body: object) =>
      call("POST", `/v1/projects/${projectId}/sources`, { token: owner.accessToken, body });
    await expectProblem(
      await post({ type: "crawl", url: "http://169.254.169.254/latest/" }),
      422,
      "URL_NOT_ALLOWED",
    );
    await expectProblem(await post({ type: "rss", url: `${SITE}/` }), 422, "VALIDATION_FAILED");
    await expectProblem(
      await post({ type: "crawl", url: `${SITE}/`, exclude: ["/a b"] }),
      422,
      "VALIDATION_FAILED",
    );
    await expectProblem(
      await post({ type: "crawl", url: `${SITE}/`, max_pages: 5001 }),
      422,
      "VALIDATION_FAILED",
    );
    await expectProblem(
      await post({ type: "crawl", url: `${SITE}/`, include: Array(51).fill("/x") }),
      422,
      "VALIDATION_FAILED",
    );
    expect(await projectFingerprint(projectId)).toBe(before);
    const [row] = await query<{ n: number }>(
      sql`select count(*)::int as n from sources where project_id = ${projectId}`,
    );
    expect(row?.n).toBe(0);
  });

  it(
    "DELETE …/sources/{id} keeps the urls by default and deletes them with delete_urls=true",
    async () => {
      const owner = await createUser();
      const projectId = await newProject(owner);
      const token = owner.accessToken;
      const keep = await createSource(token, projectId, {
        type: "crawl",
        url: `${SITE}/more/`,
        include: ["/more/**"],
        max_depth: 1,
      });
      const kept = await waitForSync(token, projectId, keep.id);
      expect(kept.counts.ready).toBe(21);
      const drop = await createSource(token, projectId, {
        type: "sitemap",
        url: `${SITE}/sitemaps/more.xml`,
      });
      const dropped = await waitForSync(token, projectId, drop.id);
      // Every url of that sitemap was in the project already, brought by the crawl.
      expect(dropped.counts.discovered).toBe(0);
      expect(dropped.counts.ready).toBe(0);

      const count = async () =>
        (
          await query<{ n: number }>(
            sql`select count(*)::int as n from urls where project_id = ${projectId}`,
          )
        )[0]?.n;
      const del = (id: string, query: string) =>
        call("DELETE", `/v1/projects/${projectId}/sources/${id}${query}`, { token });
      await expectStatus(await del(drop.id, ""), 204);
      expect(await count()).toBe(21);
      await expectStatus(await del(keep.id, "?delete_urls=true"), 204);
      expect(await count()).toBe(0);
      await expectProblem(await del(keep.id, ""), 404, "SOURCE_NOT_FOUND");
    },
    SYNC_TIMEOUT_MS,
  );
});
