import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sql } from "../../src/database";
import { query, seedProject } from "../projects/fixtures";
import { call, countRoundTrips, expectProblem } from "../support/api";
import { createUser, type TestUser } from "../support/factories";
import { FORBIDDEN, METADATA_SPELLINGS } from "./ssrf-cases";

/**
 * Intake through the API: every third forbidden spelling of the unit suite (which covers all
 * of them against `normalizeUrl`) is refused with 422 URL_NOT_ALLOWED before any database work.
 */
const SAMPLE = FORBIDDEN.filter((_, i) => i % 3 === 0);

describe("POST /v1/projects/{project_id}/urls refuses forbidden targets", () => {
  let owner: TestUser;
  let projectId: string;
  const sendBatch = vi.fn();
  // Url adds are rate limited per project and caller (30 a minute): the cases take turns among
  // several callers, refused before any database work whoever they are.
  let callers: TestUser[];
  let turn = 0;
  const token = () => callers[turn++ % callers.length]?.accessToken;

  beforeAll(async () => {
    owner = await createUser();
    callers = [owner, ...(await Promise.all(Array.from({ length: 7 }, () => createUser())))];
    ({ projectId } = await seedProject(owner.id));
    vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockImplementation(sendBatch);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    const [row] = await query<{ n: number }>(
      sql`select count(*)::int as n from urls where project_id = ${projectId}`,
    );
    expect(row?.n).toBe(0);
    expect(sendBatch).not.toHaveBeenCalled();
  });

  it("samples at least 30 spellings", () => {
    expect(SAMPLE.length).toBeGreaterThanOrEqual(30);
  });

  it.each(SAMPLE)("%s (%s) is 422 URL_NOT_ALLOWED", async (_name, url) => {
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `/v1/projects/${projectId}/urls`, {
        token: token(),
        body: { urls: ["https://fine.example/", url] },
      }),
    );
    const problem = await expectProblem(result, 422, "URL_NOT_ALLOWED");
    expect(problem).toMatchObject({ errors: [{ path: "body.urls.1" }] });
    expect(roundTrips).toBe(0);
  });

  it.each(METADATA_SPELLINGS)("cloud metadata %s is 422 URL_NOT_ALLOWED", async (_name, url) => {
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `/v1/projects/${projectId}/urls`, { token: token(), body: { url } }),
    );
    const problem = await expectProblem(result, 422, "URL_NOT_ALLOWED");
    expect(problem.detail).toContain("cloud metadata endpoint");
    expect(roundTrips).toBe(0);
  });
});
