import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb, selectRows, sql } from "../../src/database";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser } from "../support/factories";

interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  name: string;
  expires_at: string | null;
}

describe("API keys", () => {
  it("creates a key shown once, which then authenticates as its owner", async () => {
    const user = await createUser();
    const created = await expectStatus<CreatedKey>(
      await call("POST", "/v1/auth/api-keys", { token: user.accessToken, body: { name: "ci" } }),
      201,
    );
    expect(created.key).toMatch(/^lb_/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", "/v1/users/me", { token: created.key }),
    );
    const me = await expectStatus<{ id: string }>(result, 200);
    expect(me.id).toBe(user.id);
    // One to resolve the key, one for `me`.
    expect(roundTrips).toBe(2);
  });

  it("lists keys without their secrets", async () => {
    const user = await createUser();
    const created = await expectStatus<CreatedKey>(
      await call("POST", "/v1/auth/api-keys", { token: user.accessToken, body: { name: "one" } }),
      201,
    );
    const page = await expectStatus<{ items: Record<string, unknown>[]; next_cursor: null }>(
      await call("GET", "/v1/auth/api-keys", { token: user.accessToken }),
      200,
    );
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ id: created.id, name: "one", prefix: created.prefix });
    expect(JSON.stringify(page)).not.toContain(created.key);
  });

  it("stops authenticating once deleted; another user's key is 404", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const created = await expectStatus<CreatedKey>(
      await call("POST", "/v1/auth/api-keys", { token: owner.accessToken, body: { name: "x" } }),
      201,
    );
    await expectProblem(
      await call("DELETE", `/v1/auth/api-keys/${created.id}`, { token: stranger.accessToken }),
      404,
      "API_KEY_NOT_FOUND",
    );
    expect(
      (await call("DELETE", `/v1/auth/api-keys/${created.id}`, { token: owner.accessToken }))
        .status,
    ).toBe(204);
    await expectProblem(
      await call("GET", "/v1/users/me", { token: created.key }),
      401,
      "INVALID_TOKEN",
    );
  });

  it("rejects an expired key", async () => {
    const user = await createUser();
    const created = await expectStatus<CreatedKey>(
      await call("POST", "/v1/auth/api-keys", {
        token: user.accessToken,
        body: { name: "short", expires_at: new Date(Date.now() + 60_000).toISOString() },
      }),
      201,
    );
    await selectRows(
      getDb(env),
      sql`update api_keys set expires_at = now() - interval '1 second' where id = ${created.id}`,
    );
    await expectProblem(
      await call("GET", "/v1/users/me", { token: created.key }),
      401,
      "INVALID_TOKEN",
    );
  });

  it("is 422 for an expiry in the past and for a malformed key id", async () => {
    const user = await createUser();
    await expectProblem(
      await call("POST", "/v1/auth/api-keys", {
        token: user.accessToken,
        body: { name: "old", expires_at: "2001-01-01T00:00:00Z" },
      }),
      422,
      "VALIDATION_FAILED",
    );
    await expectProblem(
      await call("DELETE", "/v1/auth/api-keys/not-a-uuid", { token: user.accessToken }),
      422,
      "VALIDATION_FAILED",
    );
  });

  it("requires authentication", async () => {
    await expectProblem(await call("GET", "/v1/auth/api-keys"), 401, "NOT_AUTHENTICATED");
  });
});
