import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { sql } from "../../src/database";
import { Share } from "../../src/shares/schemas";
import { projectFingerprint, query, seedProject } from "../projects/fixtures";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser } from "../support/factories";

type ShareBody = import("../../src/shares/schemas").Share;
interface SharePage {
  items: ShareBody[];
  next_cursor: string | null;
}

function sharesPath(projectId: string, shareId?: string) {
  return `/v1/projects/${projectId}/shares${shareId ? `/${shareId}` : ""}`;
}

describe("POST /v1/projects/{project_id}/shares", () => {
  it("shares by email in any letter case, in one round trip", async () => {
    const [owner, friend] = await Promise.all([createUser(), createUser({ name: "Friend" })]);
    const { projectId } = await seedProject(owner.id);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", sharesPath(projectId), {
        token: owner.accessToken,
        body: { email: friend.email.toUpperCase(), role: "editor" },
      }),
    );
    const share = Share.parse(await expectStatus(result, 201));
    expect(share).toMatchObject({
      user: { id: friend.id, name: "Friend", email: friend.email },
      role: "editor",
    });
    expect(roundTrips).toBe(1);
    const project = await expectStatus<{ role: string }>(
      await call("GET", `/v1/projects/${projectId}`, { token: friend.accessToken }),
      200,
    );
    expect(project.role).toBe("editor");
  });

  it("is 404 USER_NOT_FOUND for an email nobody registered", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const before = await projectFingerprint(projectId);
    await expectProblem(
      await call("POST", sharesPath(projectId), {
        token: owner.accessToken,
        body: { email: `nobody-${crypto.randomUUID()}@example.com`, role: "viewer" },
      }),
      404,
      "USER_NOT_FOUND",
    );
    expect(await projectFingerprint(projectId)).toBe(before);
  });

  it("is 409 SHARE_WITH_OWNER for the owner's own email and SHARE_EXISTS for a repeat", async () => {
    const [owner, friend] = await Promise.all([createUser(), createUser()]);
    const { projectId } = await seedProject(owner.id, { f: { userId: friend.id, role: "viewer" } });
    const before = await projectFingerprint(projectId);
    await expectProblem(
      await call("POST", sharesPath(projectId), {
        token: owner.accessToken,
        body: { email: owner.email, role: "viewer" },
      }),
      409,
      "SHARE_WITH_OWNER",
    );
    await expectProblem(
      await call("POST", sharesPath(projectId), {
        token: owner.accessToken,
        body: { email: friend.email, role: "editor" },
      }),
      409,
      "SHARE_EXISTS",
    );
    expect(await projectFingerprint(projectId)).toBe(before);
  });

  it.each([
    ["the owner role", { email: "a@example.com", role: "owner" }, "body.role"],
    ["a bad email", { email: "nope", role: "viewer" }, "body.email"],
    ["a missing role", { email: "a@example.com" }, "body.role"],
  ])("is 422 for %s", async (_, body, path) => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const before = await projectFingerprint(projectId);
    const problem = await expectProblem(
      await call("POST", sharesPath(projectId), { token: owner.accessToken, body }),
      422,
      "VALIDATION_FAILED",
    );
    expect((problem as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe(path);
    expect(await projectFingerprint(projectId)).toBe(before);
  });

  it("creates one share out of 20 concurrent identical requests; the rest are 409", async () => {
    const [owner, friend] = await Promise.all([createUser(), createUser()]);
    const { projectId } = await seedProject(owner.id);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        call("POST", sharesPath(projectId), {
          token: owner.accessToken,
          body: { email: friend.email, role: "viewer" },
        }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    const [count] = await query<{ n: number }>(
      sql`select count(*)::int as n from project_shares where project_id = ${projectId}`,
    );
    expect(count?.n).toBe(1);
  });
});

describe("GET /v1/projects/{project_id}/shares", () => {
  it("lists shares newest first to a viewer, paginated, one round trip per page", async () => {
    const owner = await createUser();
    const members = await Promise.all([createUser(), createUser(), createUser()]);
    const { projectId } = await seedProject(owner.id);
    for (const member of members) {
      await expectStatus(
        await call("POST", sharesPath(projectId), {
          token: owner.accessToken,
          body: { email: member.email, role: "viewer" },
        }),
        201,
      );
    }
    const viewer = members[0];
    if (!viewer) throw new Error("no members");
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `${sharesPath(projectId)}?limit=2`, { token: viewer.accessToken }),
    );
    const first = await expectStatus<SharePage>(result, 200);
    expect(roundTrips).toBe(1);
    const second = await expectStatus<SharePage>(
      await call("GET", `${sharesPath(projectId)}?limit=2&cursor=${first.next_cursor}`, {
        token: viewer.accessToken,
      }),
      200,
    );
    expect(second.next_cursor).toBeNull();
    expect([...first.items, ...second.items].map((share) => share.user.id)).toEqual(
      members.map((member) => member.id).reverse(),
    );
  });

  it("is an empty page, not an error, for a project shared with no one", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const page = await expectStatus<SharePage>(
      await call("GET", sharesPath(projectId), { token: owner.accessToken }),
      200,
    );
    expect(page).toEqual({ items: [], next_cursor: null });
  });
});

describe("PATCH /v1/projects/{project_id}/shares/{share_id}", () => {
  it("changes the role the shared user then has, in one round trip", async () => {
    const [owner, friend] = await Promise.all([createUser(), createUser()]);
    const { projectId, shareIds } = await seedProject(owner.id, {
      f: { userId: friend.id, role: "viewer" },
    });
    const { result, roundTrips } = await countRoundTrips(() =>
      call("PATCH", sharesPath(projectId, shareIds.f), {
        token: owner.accessToken,
        body: { role: "editor" },
      }),
    );
    expect((await expectStatus<ShareBody>(result, 200)).role).toBe("editor");
    expect(roundTrips).toBe(1);
    await expectStatus(
      await call("PATCH", `/v1/projects/${projectId}`, {
        token: friend.accessToken,
        body: { name: "ok" },
      }),
      200,
    );
  });

  it("is 404 SHARE_NOT_FOUND for a share of another project, which stays unchanged", async () => {
    const [owner, other, friend] = await Promise.all([createUser(), createUser(), createUser()]);
    const mine = await seedProject(owner.id);
    const theirs = await seedProject(other.id, { f: { userId: friend.id, role: "viewer" } });
    await expectProblem(
      await call("PATCH", sharesPath(mine.projectId, theirs.shareIds.f), {
        token: owner.accessToken,
        body: { role: "editor" },
      }),
      404,
      "SHARE_NOT_FOUND",
    );
    const [stored] = await query<{ role: string }>(
      sql`select role from project_shares where id = ${theirs.shareIds.f ?? null}`,
    );
    expect(stored?.role).toBe("viewer");
  });
});

describe("DELETE /v1/projects/{project_id}/shares/{share_id}", () => {
  it("lets the owner remove a share and the shared user leave, one round trip each", async () => {
    const [owner, a, b] = await Promise.all([createUser(), createUser(), createUser()]);
    const { projectId, shareIds } = await seedProject(owner.id, {
      a: { userId: a.id, role: "editor" },
      b: { userId: b.id, role: "viewer" },
    });
    const removed = await countRoundTrips(() =>
      call("DELETE", sharesPath(projectId, shareIds.a), { token: owner.accessToken }),
    );
    expect(removed.result.status).toBe(204);
    expect(removed.roundTrips).toBe(1);
    const left = await countRoundTrips(() =>
      call("DELETE", sharesPath(projectId, shareIds.b), { token: b.accessToken }),
    );
    expect(left.result.status).toBe(204);
    expect(left.roundTrips).toBe(1);
    for (const user of [a, b]) {
      await expectProblem(
        await call("GET", `/v1/projects/${projectId}`, { token: user.accessToken }),
        404,
        "PROJECT_NOT_FOUND",
      );
    }
  });

  it("refuses an editor removing someone else (403) and answers 404 for an unknown share", async () => {
    const [owner, editor, viewer] = await Promise.all([createUser(), createUser(), createUser()]);
    const { projectId, shareIds } = await seedProject(owner.id, {
      e: { userId: editor.id, role: "editor" },
      v: { userId: viewer.id, role: "viewer" },
    });
    const before = await projectFingerprint(projectId);
    await expectProblem(
      await call("DELETE", sharesPath(projectId, shareIds.v), { token: editor.accessToken }),
      403,
      "INSUFFICIENT_ROLE",
    );
    await expectProblem(
      await call("DELETE", sharesPath(projectId, crypto.randomUUID()), {
        token: owner.accessToken,
      }),
      404,
      "SHARE_NOT_FOUND",
    );
    await expectProblem(
      await call("DELETE", sharesPath(projectId, "nope"), { token: owner.accessToken }),
      422,
      "VALIDATION_FAILED",
    );
    expect(await projectFingerprint(projectId)).toBe(before);
  });
});

describe("deleted users", () => {
  it("disappear from share lists, and the projects they owned go with them", async () => {
    const [owner, friend] = await Promise.all([createUser(), createUser()]);
    const ownersProject = await seedProject(owner.id, { f: { userId: friend.id, role: "editor" } });
    const friendsProject = await seedProject(friend.id, {
      o: { userId: owner.id, role: "viewer" },
    });

    const sendBatch = vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    expect((await call("DELETE", "/v1/users/me", { token: friend.accessToken })).status).toBe(204);
    sendBatch.mockRestore();
    const shares = await expectStatus<SharePage>(
      await call("GET", sharesPath(ownersProject.projectId), { token: owner.accessToken }),
      200,
    );
    expect(shares.items).toEqual([]);
    await expectProblem(
      await call("GET", `/v1/projects/${friendsProject.projectId}`, { token: owner.accessToken }),
      404,
      "PROJECT_NOT_FOUND",
    );
    const list = await expectStatus<{ items: { id: string }[] }>(
      await call("GET", "/v1/projects", { token: owner.accessToken }),
      200,
    );
    expect(list.items.map((item) => item.id)).toEqual([ownersProject.projectId]);
  });
});
