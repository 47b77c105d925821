import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { sql } from "../../src/database";
import { query, seedProject } from "../projects/fixtures";
import { call, expectProblem, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

interface CreatedKey {
  id: string;
  key: string;
  scope: "read" | "write";
  project_ids: string[] | null;
}

async function createKey(user: TestUser, body: Record<string, unknown> = {}): Promise<CreatedKey> {
  return expectStatus<CreatedKey>(
    await call("POST", "/v1/auth/api-keys", {
      token: user.accessToken,
      body: { name: "k", ...body },
    }),
    201,
  );
}

const keysOf = async (userId: string) =>
  (
    await query<{ n: number }>(
      sql`select count(*)::int as n from api_keys where user_id = ${userId}`,
    )
  )[0]?.n;

const liveRefreshTokens = async (userId: string) =>
  (
    await query<{ n: number }>(
      sql`select count(*)::int as n from refresh_tokens
          where user_id = ${userId} and revoked_at is null`,
    )
  )[0]?.n;

beforeEach(() => {
  vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
  vi.spyOn(env.INGEST_QUEUE, "send").mockResolvedValue(undefined as never);
  return () => vi.restoreAllMocks();
});

describe("credential management takes an access token from a login", () => {
  it.each([
    ["POST", "/v1/auth/api-keys", { name: "minted by a key" }],
    ["GET", "/v1/auth/api-keys", undefined],
    ["POST", "/v1/auth/logout-all", { include_api_keys: true }],
    ["PATCH", "/v1/users/me", { password: "a brand new password", current_password: "x" }],
    ["PATCH", "/v1/users/me", { name: "renamed by a key" }],
    ["DELETE", "/v1/users/me", undefined],
  ])("%s %s with a write API key is 403 INTERACTIVE_LOGIN_REQUIRED", async (method, path, body) => {
    const user = await createUser();
    const { key } = await createKey(user, { scope: "write" });
    await expectProblem(
      await call(method, path, { token: key, body }),
      403,
      "INTERACTIVE_LOGIN_REQUIRED",
    );
    // Nothing changed: one key, the account and its name, the password, the sessions.
    expect(await keysOf(user.id)).toBe(1);
    expect(await liveRefreshTokens(user.id)).toBe(1);
    const me = await expectStatus<{ name: string }>(
      await call("GET", "/v1/users/me", { token: user.accessToken }),
      200,
    );
    expect(me.name).toBe("Test User");
    await expectStatus(
      await call("POST", "/v1/auth/login", {
        body: { email: user.email, password: user.password },
      }),
      200,
    );
  });

  it("DELETE /v1/auth/api-keys/{id} with an API key is 403 and the key stays", async () => {
    const user = await createUser();
    const { key, id } = await createKey(user);
    await expectProblem(
      await call("DELETE", `/v1/auth/api-keys/${id}`, { token: key }),
      403,
      "INTERACTIVE_LOGIN_REQUIRED",
    );
    expect(await keysOf(user.id)).toBe(1);
  });
});

describe("API key scopes", () => {
  it("keys made before scopes existed are write keys (the migration's default)", async () => {
    const user = await createUser();
    const [row] = await query<{ scope: string; project_ids: string[] | null }>(
      sql`insert into api_keys (user_id, name, prefix, key_hash)
          values (${user.id}, 'old', 'lb_old', ${crypto.randomUUID()})
          returning scope, project_ids`,
    );
    expect(row).toEqual({ scope: "write", project_ids: null });
  });

  it("lists each key's scope and projects", async () => {
    const user = await createUser();
    const { projectId } = await seedProject(user.id);
    await createKey(user, { scope: "read", project_ids: [projectId] });
    const page = await expectStatus<{ items: CreatedKey[] }>(
      await call("GET", "/v1/auth/api-keys", { token: user.accessToken }),
      200,
    );
    expect(page.items).toMatchObject([{ scope: "read", project_ids: [projectId] }]);
  });

  it("a read key views and searches but cannot add, refresh or delete urls", async () => {
    const user = await createUser();
    const { projectId } = await seedProject(user.id);
    const { key } = await createKey(user, { scope: "read" });
    await expectStatus(await call("GET", `/v1/projects/${projectId}/urls`, { token: key }), 200);
    await expectStatus(
      await call("POST", `/v1/projects/${projectId}/search`, {
        token: key,
        body: { query: "anything" },
      }),
      200,
    );
    await expectProblem(
      await call("POST", `/v1/projects/${projectId}/urls`, {
        token: key,
        body: { url: "https://example.com/by-a-read-key" },
      }),
      403,
      "INSUFFICIENT_SCOPE",
    );
    await expectProblem(
      await call("POST", "/v1/projects", { token: key, body: { name: "by a read key" } }),
      403,
      "INSUFFICIENT_SCOPE",
    );
    const [row] = await query<{ urls: number; projects: number }>(
      sql`select (select count(*)::int from urls where project_id = ${projectId}) as urls,
                 (select count(*)::int from projects where owner_id = ${user.id}) as projects`,
    );
    expect(row).toEqual({ urls: 0, projects: 1 });
  });

  it("a project-limited key sees only its projects and cannot create one", async () => {
    const user = await createUser();
    const [listed, other] = [await seedProject(user.id), await seedProject(user.id)];
    const { key } = await createKey(user, { project_ids: [listed.projectId] });

    const page = await expectStatus<{ items: { id: string }[] }>(
      await call("GET", "/v1/projects", { token: key }),
      200,
    );
    expect(page.items.map((p) => p.id)).toEqual([listed.projectId]);
    const me = await expectStatus<{ stats: { projects: number } }>(
      await call("GET", "/v1/users/me", { token: key }),
      200,
    );
    expect(me.stats.projects).toBe(1);
    await expectStatus(await call("GET", `/v1/projects/${listed.projectId}`, { token: key }), 200);
    await expectProblem(
      await call("GET", `/v1/projects/${other.projectId}`, { token: key }),
      404,
      "PROJECT_NOT_FOUND",
    );
    await expectProblem(
      await call("POST", `/v1/projects/${other.projectId}/urls`, {
        token: key,
        body: { url: "https://example.com/outside" },
      }),
      404,
      "PROJECT_NOT_FOUND",
    );
    await expectProblem(
      await call("POST", "/v1/projects", { token: key, body: { name: "outside the list" } }),
      403,
      "INSUFFICIENT_SCOPE",
    );
    const [row] = await query<{ urls: number; projects: number }>(
      sql`select (select count(*)::int from urls where project_id = ${other.projectId}) as urls,
                 (select count(*)::int from projects where owner_id = ${user.id}) as projects`,
    );
    expect(row).toEqual({ urls: 0, projects: 2 });
  });

  it("limiting a key to a project the caller cannot see is 422 and creates nothing", async () => {
    const user = await createUser();
    const stranger = await createUser();
    const { projectId } = await seedProject(stranger.id);
    const mine = await seedProject(user.id);
    await expectProblem(
      await call("POST", "/v1/auth/api-keys", {
        token: user.accessToken,
        body: { name: "k", project_ids: [mine.projectId, projectId] },
      }),
      422,
      "API_KEY_PROJECT_UNKNOWN",
    );
    await expectProblem(
      await call("POST", "/v1/auth/api-keys", {
        token: user.accessToken,
        body: { name: "k", scope: "admin" },
      }),
      422,
      "VALIDATION_FAILED",
    );
    expect(await keysOf(user.id)).toBe(0);
  });
});

describe("POST /v1/auth/logout-all", () => {
  it("revokes every refresh token and keeps API keys by default", async () => {
    const user = await createUser();
    await call("POST", "/v1/auth/login", { body: { email: user.email, password: user.password } });
    const { key } = await createKey(user);
    const answer = await expectStatus(
      await call("POST", "/v1/auth/logout-all", { token: user.accessToken, body: {} }),
      200,
    );
    expect(answer).toEqual({
      refresh_tokens_revoked: 2,
      api_keys_revoked: 0,
      access_tokens_valid_for_seconds: expect.any(Number),
    });
    await expectProblem(
      await call("POST", "/v1/auth/refresh", { body: { refresh_token: user.refreshToken } }),
      401,
      "REFRESH_TOKEN_INVALID",
    );
    await expectStatus(await call("GET", "/v1/users/me", { token: key }), 200);
  });

  it("with include_api_keys also deletes every API key", async () => {
    const user = await createUser();
    const { key } = await createKey(user);
    await createKey(user, { scope: "read" });
    const answer = await expectStatus(
      await call("POST", "/v1/auth/logout-all", {
        token: user.accessToken,
        body: { include_api_keys: true },
      }),
      200,
    );
    expect(answer).toMatchObject({ refresh_tokens_revoked: 1, api_keys_revoked: 2 });
    await expectProblem(await call("GET", "/v1/users/me", { token: key }), 401, "INVALID_TOKEN");
    expect(await keysOf(user.id)).toBe(0);
    expect(await liveRefreshTokens(user.id)).toBe(0);
  });
});

describe("a password change", () => {
  it("revokes refresh tokens and says what survives", async () => {
    const user = await createUser();
    const { key } = await createKey(user);
    const updated = await expectStatus(
      await call("PATCH", "/v1/users/me", {
        token: user.accessToken,
        body: { password: "another long password", current_password: user.password },
      }),
      200,
    );
    expect(updated).toMatchObject({
      id: user.id,
      credentials: {
        refresh_tokens_revoked: 1,
        api_keys_kept: 1,
        access_tokens_valid_for_seconds: expect.any(Number),
      },
    });
    expect(await liveRefreshTokens(user.id)).toBe(0);
    await expectStatus(await call("GET", "/v1/users/me", { token: key }), 200);
    await expectStatus(await call("GET", "/v1/users/me", { token: user.accessToken }), 200);
  });
});

describe("a valid token of a deleted account", () => {
  it("is 401 NOT_AUTHENTICATED on every route that reads the account", async () => {
    const user = await createUser();
    expect((await call("DELETE", "/v1/users/me", { token: user.accessToken })).status).toBe(204);
    for (const [method, path, body] of [
      ["GET", "/v1/users/me", undefined],
      ["PATCH", "/v1/users/me", { name: "ghost" }],
      ["DELETE", "/v1/users/me", undefined],
      ["POST", "/v1/projects", { name: "ghost project" }],
    ] as const) {
      await expectProblem(
        await call(method, path, { token: user.accessToken, body }),
        401,
        "NOT_AUTHENTICATED",
      );
    }
    const [row] = await query<{ n: number }>(
      sql`select count(*)::int as n from projects where owner_id = ${user.id}`,
    );
    expect(row?.n).toBe(0);
  });
});
