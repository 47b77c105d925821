import { afterEach, describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setFault } from "../support/api";
import { createUser } from "../support/factories";

describe("a dependency that is down", () => {
  afterEach(async () => {
    await setFault("database", "none");
  });

  it("turns a request that needs the database into a 503 problem with Retry-After", async () => {
    const user = await createUser();
    await setFault("database", "down");
    const response = await call("GET", "/v1/users/me", { token: user.accessToken });
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const problem = await expectProblem(response, 503, "SERVICE_UNAVAILABLE");
    expect(problem.detail).not.toMatch(/127\.0\.0\.1|postgres|fetch failed/i);
  });

  it("leaves nothing half-written: the same request works once the database is back", async () => {
    const user = await createUser();
    await setFault("database", "down");
    await expectProblem(
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
    const response = await call("GET", "/v1/system/info", { token: user.accessToken });
    expect(response.status).toBe(200);
  });
});
