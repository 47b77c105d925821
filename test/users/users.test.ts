import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getS3 } from "../../src/aws/service";
import type { Env } from "../../src/config";
import { projectPrefix } from "../../src/ingestion/snapshots";
import { eventually } from "../ingestion/helpers";
import { createAdmin, seedProject } from "../projects/fixtures";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { changePassword, createUser } from "../support/factories";

describe("GET /v1/users/me", () => {
  it("returns the caller with stats in one round trip", async () => {
    const user = await createUser({ name: "Grace" });
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", "/v1/users/me", { token: user.accessToken }),
    );
    const me = await expectStatus(result, 200);
    expect(me).toMatchObject({
      id: user.id,
      email: user.email,
      name: "Grace",
      role: "user",
      stats: { projects: 0, urls: 0, chunks: 0 },
    });
    expect(me.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(roundTrips).toBe(1);
  });
});

describe("PATCH /v1/users/me", () => {
  it("renames in one round trip", async () => {
    const user = await createUser();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("PATCH", "/v1/users/me", { token: user.accessToken, body: { name: "New Name" } }),
    );
    expect(await expectStatus(result, 200)).toMatchObject({ name: "New Name" });
    expect(roundTrips).toBe(1);
  });

  it("refuses to set the role", async () => {
    const user = await createUser();
    await expectProblem(
      await call("PATCH", "/v1/users/me", { token: user.accessToken, body: { role: "admin" } }),
      422,
      "VALIDATION_FAILED",
    );
    const me = await expectStatus(
      await call("GET", "/v1/users/me", { token: user.accessToken }),
      200,
    );
    expect(me.role).toBe("user");
  });

  it("changes the password only with the current one, revoking every refresh token", async () => {
    const user = await createUser();
    await expectProblem(
      await changePassword(user, "not it at all", "brand new password"),
      401,
      "INVALID_CREDENTIALS",
    );
    await expectStatus(await changePassword(user, user.password, "brand new password"), 200);
    await expectProblem(
      await call("POST", "/v1/auth/refresh", { body: { refresh_token: user.refreshToken } }),
      401,
      "REFRESH_TOKEN_INVALID",
    );
    await expectStatus(
      await call("POST", "/v1/auth/login", {
        body: { email: user.email, password: "brand new password" },
      }),
      200,
    );
    await expectProblem(
      await call("POST", "/v1/auth/login", {
        body: { email: user.email, password: user.password },
      }),
      401,
      "INVALID_CREDENTIALS",
    );
  });
});

describe("DELETE /v1/users/me", () => {
  it("removes the account: it can no longer log in or be found", async () => {
    const user = await createUser();
    expect((await call("DELETE", "/v1/users/me", { token: user.accessToken })).status).toBe(204);
    await expectProblem(
      await call("GET", "/v1/users/me", { token: user.accessToken }),
      401,
      "NOT_AUTHENTICATED",
    );
    await expectProblem(
      await call("POST", "/v1/auth/login", {
        body: { email: user.email, password: user.password },
      }),
      401,
      "INVALID_CREDENTIALS",
    );
    await expectProblem(
      await call("POST", "/v1/auth/refresh", { body: { refresh_token: user.refreshToken } }),
      401,
      "REFRESH_TOKEN_INVALID",
    );
  });

  it("removes the snapshots of the projects it owned, not those of projects shared with it", async () => {
    const [user, other] = await Promise.all([createUser(), createUser()]);
    const owned = await Promise.all([seedProject(user.id), seedProject(user.id)]);
    const shared = await seedProject(other.id, { u: { userId: user.id, role: "editor" } });
    const s3 = getS3(env as unknown as Env);
    const keyIn = ({ projectId }: { projectId: string }) =>
      `${projectPrefix(projectId)}urls/${crypto.randomUUID()}/snapshot`;
    await Promise.all(
      [...owned, shared].map((project) => s3.put(keyIn(project), "<p>kept?</p>", "text/html")),
    );
    expect((await call("DELETE", "/v1/users/me", { token: user.accessToken })).status).toBe(204);
    await eventually(
      async () => {
        const left = await Promise.all(owned.map((p) => s3.list(projectPrefix(p.projectId))));
        return left.every((listing) => listing.keys.length === 0);
      },
      10_000,
      "owned projects' snapshots removed",
    );
    expect((await s3.list(projectPrefix(shared.projectId))).keys).toHaveLength(1);
  });
});

describe("GET /v1/users (admin)", () => {
  it("is 403 for a regular user", async () => {
    const user = await createUser();
    await expectProblem(
      await call("GET", "/v1/users", { token: user.accessToken }),
      403,
      "ADMIN_REQUIRED",
    );
  });

  it("lists and filters users for an admin, paginated", async () => {
    const token = (await createAdmin()).accessToken;
    const marker = crypto.randomUUID().slice(0, 8);
    await createUser({ name: `Needle ${marker}` });
    await createUser({ name: `Needle ${marker}` });
    const first = await expectStatus<{ items: { name: string }[]; next_cursor: string }>(
      await call("GET", `/v1/users?q=${marker}&limit=1`, { token }),
      200,
    );
    expect(first.items).toHaveLength(1);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await expectStatus<{ items: { name: string }[]; next_cursor: null }>(
      await call("GET", `/v1/users?q=${marker}&limit=1&cursor=${first.next_cursor}`, { token }),
      200,
    );
    expect(second.items).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    await expectProblem(
      await call("GET", "/v1/users?cursor=garbled!!", { token }),
      422,
      "INVALID_CURSOR",
    );
  });
});
