import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { sql } from "../../src/database";
import { Project } from "../../src/projects/schemas";
import { call, expectStatus } from "../support/api";
import { createUser } from "../support/factories";
import { query, type SeededProject, seedProject, seedUrls } from "./fixtures";

interface Page {
  items: { id: string; created_at: string; counts: { urls: number; chunks: number } }[];
  next_cursor: string | null;
}

describe("GET /v1/projects pagination under concurrent writes", () => {
  it("walks 250 projects 7 at a time, each exactly once and in order, while more are created", async () => {
    const owner = await createUser();
    // Three projects per timestamp, so the id tie-break is exercised on every page.
    const seeded = await query<{ id: string }>(
      sql`insert into projects (owner_id, name, chunk_size, chunk_overlap, created_at)
          select ${owner.id}, 'walk ' || i, 1000, 200,
                 now() - interval '1 hour' - (i / 3) * interval '1 second'
          from generate_series(0, 249) as i
          returning id`,
    );
    const expected = await query<{ id: string }>(
      sql`select id from projects where owner_id = ${owner.id}
          order by created_at desc, id desc`,
    );
    expect(expected).toHaveLength(250);

    let writing = true;
    const writer = (async () => {
      let created = 0;
      while (writing) {
        await expectStatus(
          await call("POST", "/v1/projects", {
            token: owner.accessToken,
            body: { name: `during walk ${created}` },
            // The owner already holds 250 projects, past the default quota.
            vars: { QUOTA_PROJECTS_PER_USER: "100000" },
          }),
          201,
        );
        created += 1;
      }
      return created;
    })();

    const walked: Page["items"] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const search = cursor ? `&cursor=${cursor}` : "";
      const page: Page = await expectStatus<Page>(
        await call("GET", `/v1/projects?limit=7${search}`, { token: owner.accessToken }),
        200,
      );
      expect(page.items.length).toBeLessThanOrEqual(7);
      walked.push(...page.items);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor);
    writing = false;
    const createdDuringWalk = await writer;

    const seededIds = new Set(seeded.map((row) => row.id));
    const walkedIds = walked.map((item) => item.id);
    expect(new Set(walkedIds).size).toBe(walkedIds.length);
    expect(walkedIds.filter((id) => seededIds.has(id))).toEqual(expected.map((row) => row.id));
    // Whatever was created before the first page sorts first; order never goes backwards.
    const keys = walked.map((item) => `${item.created_at} ${item.id}`);
    expect(keys).toEqual([...keys].sort().reverse());
    expect(createdDuringWalk).toBeGreaterThan(0);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(250 / 7));
  });

  it("never returns a half-deleted project while projects are being deleted", async () => {
    const owner = await createUser();
    const projects: SeededProject[] = [];
    for (let i = 0; i < 12; i++) {
      const seeded = await seedProject(owner.id, {}, `doomed ${i}`);
      await seedUrls(seeded.projectId, ["ready", "ready", "failed"], 4);
      projects.push(seeded);
    }
    const sendBatch = vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const listings: Page[] = [];
    const lister = async () => {
      for (let i = 0; i < 8; i++) {
        listings.push(
          await expectStatus<Page>(
            await call("GET", "/v1/projects?limit=100", { token: owner.accessToken }),
            200,
          ),
        );
      }
    };
    const deleter = async () => {
      for (const { projectId } of projects) {
        const response = await call("DELETE", `/v1/projects/${projectId}`, {
          token: owner.accessToken,
        });
        expect(response.status).toBe(204);
      }
    };
    await Promise.all([lister(), deleter(), lister()]);
    sendBatch.mockRestore();
    const seen = listings.flatMap((page) => page.items);
    expect(listings.some((page) => page.items.length > 0 && page.items.length < 12)).toBe(true);
    for (const item of seen) {
      Project.parse(item);
      expect(item.counts).toMatchObject({ urls: 3, chunks: 12 });
    }
  });
});
