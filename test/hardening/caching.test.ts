import { beforeAll, describe, expect, it } from "vitest";
import { seedProject, seedUrlWithChunk } from "../projects/fixtures";
import { call } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

/** Cache-Control and Vary of answers that carry credentials, personal data or private content. */
describe("caching headers", () => {
  let user: TestUser;
  let projectId: string;
  let linkToken: string;
  let urlId: string;

  beforeAll(async () => {
    user = await createUser();
    ({ projectId, linkToken } = await seedProject(user.id));
    ({ urlId } = await seedUrlWithChunk(projectId));
  });

  const vary = (res: Response) =>
    (res.headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase());

  it.each<[string, () => Promise<Response>]>([
    [
      "POST /v1/auth/register",
      () =>
        call("POST", "/v1/auth/register", {
          body: { email: `c-${crypto.randomUUID()}@example.com`, password: "long enough pw" },
        }),
    ],
    [
      "POST /v1/auth/login",
      () =>
        call("POST", "/v1/auth/login", { body: { email: user.email, password: user.password } }),
    ],
    [
      "POST /v1/auth/refresh (failed)",
      () => call("POST", "/v1/auth/refresh", { body: { refresh_token: "unknown" } }),
    ],
    [
      "POST /v1/auth/api-keys",
      () => call("POST", "/v1/auth/api-keys", { token: user.accessToken, body: { name: "c" } }),
    ],
    ["GET /v1/users/me", () => call("GET", "/v1/users/me", { token: user.accessToken })],
    ["GET /v1/projects", () => call("GET", "/v1/projects", { token: user.accessToken })],
    [
      "GET /v1/projects/{id}",
      () => call("GET", `/v1/projects/${projectId}`, { token: user.accessToken }),
    ],
    [
      "GET /v1/projects/{id}/shares",
      () => call("GET", `/v1/projects/${projectId}/shares`, { token: user.accessToken }),
    ],
    [
      "GET …/snapshot (presigned Location)",
      () =>
        call("GET", `/v1/projects/${projectId}/urls/${urlId}/snapshot`, {
          token: user.accessToken,
        }),
    ],
    ["GET /v1/shared/{token}", () => call("GET", `/v1/shared/${linkToken}`)],
    ["a 401 to a bad token", () => call("GET", "/v1/projects", { token: "not-a-token" })],
  ])("%s is no-store", async (_name, send) => {
    const res = await send();
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(vary(res)).toEqual(expect.arrayContaining(["authorization", "origin"]));
  });

  it.each<[string, () => Promise<Response>]>([
    [
      "GET …/urls",
      () => call("GET", `/v1/projects/${projectId}/urls`, { token: user.accessToken }),
    ],
    [
      "GET …/urls/{id}/chunks",
      () =>
        call("GET", `/v1/projects/${projectId}/urls/${urlId}/chunks`, { token: user.accessToken }),
    ],
    [
      "POST …/search",
      () =>
        call("POST", `/v1/projects/${projectId}/search`, {
          token: user.accessToken,
          body: { query: "seeded" },
        }),
    ],
  ])("%s is private and varies by Authorization and Origin", async (_name, send) => {
    const res = await send();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private");
    expect(vary(res)).toEqual(expect.arrayContaining(["authorization", "origin"]));
  });

  it("leaves anonymous public answers alone", async () => {
    const res = await call("GET", "/v1/system/info");
    expect(res.headers.get("cache-control")).toBeNull();
  });
});
