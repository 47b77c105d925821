import { describe, expect, it } from "vitest";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser } from "../support/factories";

interface Pair {
  access_token: string;
  refresh_token: string;
}

function refresh(token: string) {
  return call("POST", "/v1/auth/refresh", { body: { refresh_token: token } });
}

describe("POST /v1/auth/refresh", () => {
  it("rotates the token in one round trip; the new access token works", async () => {
    const user = await createUser();
    const { result, roundTrips } = await countRoundTrips(() => refresh(user.refreshToken));
    const pair = await expectStatus<Pair>(result, 200);
    expect(pair.refresh_token).not.toBe(user.refreshToken);
    expect(roundTrips).toBe(1);
    await expectStatus(await call("GET", "/v1/users/me", { token: pair.access_token }), 200);
  });

  it("revokes the whole family when a rotated token is presented again", async () => {
    const user = await createUser();
    const second = await expectStatus<Pair>(await refresh(user.refreshToken), 200);
    await expectProblem(await refresh(user.refreshToken), 401, "REFRESH_TOKEN_REUSED");
    // The successor dies with the family.
    await expectProblem(await refresh(second.refresh_token), 401, "REFRESH_TOKEN_INVALID");
  });

  it("leaves exactly one live token when the same token is refreshed concurrently", async () => {
    const user = await createUser();
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => refresh(user.refreshToken)),
    );
    const winners = responses.filter((response) => response.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((response) => response.status !== 200)) {
      expect(loser.status).toBe(401);
    }
  });

  it("is 401 REFRESH_TOKEN_INVALID for an unknown token", async () => {
    await expectProblem(await refresh("never-issued"), 401, "REFRESH_TOKEN_INVALID");
  });

  it("is 422 without a refresh_token", async () => {
    await expectProblem(
      await call("POST", "/v1/auth/refresh", { body: {} }),
      422,
      "VALIDATION_FAILED",
    );
  });
});

describe("POST /v1/auth/logout", () => {
  it("revokes the token's family in one round trip", async () => {
    const user = await createUser();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", "/v1/auth/logout", { body: { refresh_token: user.refreshToken } }),
    );
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    await expectProblem(await refresh(user.refreshToken), 401, "REFRESH_TOKEN_INVALID");
  });

  it("does not touch the user's other sessions", async () => {
    const user = await createUser();
    const other = await expectStatus<Pair>(
      await call("POST", "/v1/auth/login", {
        body: { email: user.email, password: user.password },
      }),
      200,
    );
    await call("POST", "/v1/auth/logout", { body: { refresh_token: user.refreshToken } });
    await expectStatus(await refresh(other.refresh_token), 200);
  });

  it("is 401 for an unknown token", async () => {
    await expectProblem(
      await call("POST", "/v1/auth/logout", { body: { refresh_token: "nope" } }),
      401,
      "REFRESH_TOKEN_INVALID",
    );
  });
});
