import { afterEach, describe, expect, it } from "vitest";
import { site } from "../ingestion/helpers";
import { seedProject } from "../projects/fixtures";
import { call, expectNoInternals, expectProblem, expectStatus, setFault } from "../support/api";
import { createUser } from "../support/factories";

/** Asserts a problem and that its whole body says nothing internal. */
async function expectSealedProblem(response: Response, status: number, code: string) {
  const problem = await expectProblem(response, status, code);
  expectNoInternals(JSON.stringify(problem));
  return problem;
}

describe("a dependency that is down", () => {
  afterEach(async () => {
    await setFault("database", "none");
  });

  it("turns a request that needs the database into a 503 problem with Retry-After", async () => {
    const user = await createUser();
    await setFault("database", "down");
    const response = await call("GET", "/v1/users/me", { token: user.accessToken });
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectSealedProblem(response, 503, "SERVICE_UNAVAILABLE");
  });

  it("leaves nothing half-written: the same request works once the database is back", async () => {
    const user = await createUser();
    await setFault("database", "down");
    await expectSealedProblem(
      await call("POST", "/v1/projects", { token: user.accessToken, body: { name: "Fault" } }),
      503,
      "SERVICE_UNAVAILABLE",
    );
    await setFault("database", "none");
    const page = await expectStatus<{ items: unknown[] }>(
      await call("GET", "/v1/projects", { token: user.accessToken }),
      200,
    );
    expect(page.items).toHaveLength(0);
    await expectStatus(
      await call("POST", "/v1/projects", { token: user.accessToken, body: { name: "Fault" } }),
      201,
    );
  });

  it("still authenticates JWT callers without the database (a 503 comes from the work, not auth)", async () => {
    const user = await createUser();
    await setFault("database", "down");
    // Deleting a project id that is malformed needs the caller (401 without one) and is refused
    // (422) before any SQL: a JWT caller gets that far with the database down.
    const path = "/v1/projects/not-a-uuid";
    await expectProblem(await call("DELETE", path), 401, "NOT_AUTHENTICATED");
    await expectProblem(
      await call("DELETE", path, { token: user.accessToken }),
      422,
      "VALIDATION_FAILED",
    );
  });
});

describe("an embedding provider that fails", () => {
  // An OpenAI-compatible endpoint that answers 404 with its own text (the local test site).
  const vars = {
    EMBEDDING_PROVIDER: "openai",
    OPENAI_BASE_URL: site("/no-such-api/v1"),
    OPENAI_API_KEY: "sk-test-not-a-real-key",
  };

  it("is a fixed 502 quoting the request id, for members and public-link readers alike", async () => {
    const user = await createUser();
    const { projectId, linkToken } = await seedProject(user.id);
    for (const [path, token] of [
      [`/v1/projects/${projectId}/search`, user.accessToken],
      [`/v1/shared/${linkToken}/search`, undefined],
    ] as const) {
      const response = await call("POST", path, { token, vars, body: { query: "anything" } });
      const requestId = response.headers.get("x-request-id");
      const problem = await expectSealedProblem(response, 502, "EMBEDDING_FAILED");
      expect(problem.detail).toBe(
        `The embedding provider failed. Quote request id ${requestId} when reporting it.`,
      );
      expect(JSON.stringify(problem)).not.toContain(vars.OPENAI_API_KEY);
    }
  });
});
