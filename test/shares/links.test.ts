import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/auth/utils";
import { sql } from "../../src/database";
import { SharedProject } from "../../src/shares/schemas";
import { query, seedProject, seedUrls } from "../projects/fixtures";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

interface CreatedLink {
  id: string;
  token: string;
  expires_at: string | null;
  created_at: string;
}

async function createLink(owner: TestUser, projectId: string, body: object = {}) {
  return expectStatus<CreatedLink>(
    await call("POST", `/v1/projects/${projectId}/links`, { token: owner.accessToken, body }),
    201,
  );
}

describe("public links", () => {
  it("creates a 256-bit token, shown once and stored only as its hash, in one round trip", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `/v1/projects/${projectId}/links`, { token: owner.accessToken, body: {} }),
    );
    const link = await expectStatus<CreatedLink>(result, 201);
    expect(roundTrips).toBe(1);
    expect(link.token).toMatch(/^lbp_[\w-]{43}$/);
    expect(link.expires_at).toBeNull();
    const [stored] = await query<Record<string, unknown>>(
      sql`select * from project_links where id = ${link.id}`,
    );
    expect(stored?.token_hash).toBe(await sha256Hex(link.token));
    expect(JSON.stringify(stored)).not.toContain(link.token);
  });

  it("opens a read-only view without credentials that hides the owner's email, one round trip", async () => {
    const owner = await createUser({ name: "Owner Name" });
    const { projectId } = await seedProject(owner.id, {}, "Public docs");
    await seedUrls(projectId, ["ready", "failed"], 2);
    const link = await createLink(owner, projectId);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `/v1/shared/${link.token}`),
    );
    const view = SharedProject.parse(await expectStatus(result, 200));
    expect(roundTrips).toBe(1);
    expect(view).toMatchObject({
      id: projectId,
      name: "Public docs",
      role: "viewer",
      owner: { name: "Owner Name" },
      counts: { urls: 2, urls_ready: 1, urls_failed: 1, chunks: 4 },
    });
    const raw = JSON.stringify(view);
    expect(raw).not.toContain(owner.email);
    expect(raw).not.toContain(owner.id);
  });

  it("lists links with the token's prefix only", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const link = await createLink(owner, projectId);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `/v1/projects/${projectId}/links`, { token: owner.accessToken }),
    );
    const page = await expectStatus<{ items: Record<string, unknown>[] }>(result, 200);
    expect(roundTrips).toBe(1);
    const listed = page.items.find((item) => item.id === link.id);
    expect(listed).toEqual({
      id: link.id,
      prefix: link.token.slice(0, 10),
      expires_at: null,
      created_at: link.created_at,
    });
    expect(JSON.stringify(page)).not.toContain(link.token);
  });

  it("stops working once expired, and refuses an expiry in the past", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const link = await createLink(owner, projectId, { expires_at: expiresAt });
    expect(Date.parse(link.expires_at ?? "")).toBe(Date.parse(expiresAt));
    await expectStatus(await call("GET", `/v1/shared/${link.token}`), 200);
    await query(
      sql`update project_links set expires_at = now() - interval '1 second' where id = ${link.id}`,
    );
    await expectProblem(
      await call("GET", `/v1/shared/${link.token}`),
      404,
      "SHARED_LINK_NOT_FOUND",
    );
    await expectProblem(
      await call("POST", `/v1/projects/${projectId}/links`, {
        token: owner.accessToken,
        body: { expires_at: "2020-01-01T00:00:00Z" },
      }),
      422,
      "VALIDATION_FAILED",
    );
  });

  it("stops working once revoked; a link id of another project is 404 and keeps working", async () => {
    const [owner, other] = await Promise.all([createUser(), createUser()]);
    const mine = await seedProject(owner.id);
    const theirs = await seedProject(other.id);
    await expectProblem(
      await call("DELETE", `/v1/projects/${mine.projectId}/links/${theirs.linkId}`, {
        token: owner.accessToken,
      }),
      404,
      "LINK_NOT_FOUND",
    );
    await expectStatus(await call("GET", `/v1/shared/${theirs.linkToken}`), 200);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("DELETE", `/v1/projects/${mine.projectId}/links/${mine.linkId}`, {
        token: owner.accessToken,
      }),
    );
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    await expectProblem(
      await call("GET", `/v1/shared/${mine.linkToken}`),
      404,
      "SHARED_LINK_NOT_FOUND",
    );
  });

  it("is 404 for unknown tokens, including an API-key-shaped one", async () => {
    for (const token of ["lbp_nothing", "lb_abcdef", "x"]) {
      await expectProblem(await call("GET", `/v1/shared/${token}`), 404, "SHARED_LINK_NOT_FOUND");
    }
  });

  it("does not authenticate anything else: a link token as a bearer credential is 401", async () => {
    const owner = await createUser();
    const { projectId, linkToken } = await seedProject(owner.id);
    await expectProblem(
      await call("GET", `/v1/projects/${projectId}`, { token: linkToken }),
      401,
      "INVALID_TOKEN",
    );
  });

  it("answers search through the link in one round trip, and 404 for an unknown link", async () => {
    const owner = await createUser();
    const { linkToken } = await seedProject(owner.id);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", `/v1/shared/${linkToken}/search`, { body: { query: "hello" } }),
    );
    const body = await expectStatus<{ results: unknown[]; mode: string }>(result, 200);
    expect(body).toMatchObject({ results: [], mode: "hybrid" });
    expect(roundTrips).toBe(1);
    await expectProblem(
      await call("POST", "/v1/shared/lbp_unknown/search", { body: { query: "hello" } }),
      404,
      "SHARED_LINK_NOT_FOUND",
    );
  });

  it("dies with its project", async () => {
    const owner = await createUser();
    const { projectId, linkToken } = await seedProject(owner.id);
    await query(sql`delete from projects where id = ${projectId}`);
    await expectProblem(await call("GET", `/v1/shared/${linkToken}`), 404, "SHARED_LINK_NOT_FOUND");
  });
});
