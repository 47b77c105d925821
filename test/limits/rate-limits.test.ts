import { describe, expect, it } from "vitest";
import { RATE_LIMIT_POLICIES } from "../../src/limits/constants";
import { site } from "../ingestion/helpers";
import { seedProject } from "../projects/fixtures";
import { call, expectProblem, expectStatus, withinOneWindow } from "../support/api";
import { changePassword, createUser } from "../support/factories";

// draft-ietf-httpapi-ratelimit-headers: a List of Items, each a String with Integer parameters.
const POLICY_ITEM = /^"([a-z-]+)";q=(\d+);w=(\d+)$/;
const CURRENT_ITEM = /^"([a-z-]+)";r=(\d+);t=(\d+)$/;

/** The announced policies and what is left of each, checked against the field syntax. */
function announced(response: Response) {
  const policy = response.headers.get("ratelimit-policy") ?? "";
  const current = response.headers.get("ratelimit") ?? "";
  const policies = new Map(
    policy.split(", ").map((item) => {
      const [, name, q, w] = POLICY_ITEM.exec(item) ?? expect.fail(`bad policy item ${item}`);
      return [name, { q: Number(q), w: Number(w) }] as const;
    }),
  );
  const left = new Map(
    current.split(", ").map((item) => {
      const [, name, r, t] = CURRENT_ITEM.exec(item) ?? expect.fail(`bad RateLimit item ${item}`);
      return [name, { r: Number(r), t: Number(t) }] as const;
    }),
  );
  expect([...left.keys()]).toEqual([...policies.keys()]);
  for (const [name, { q, w }] of policies) {
    const known = RATE_LIMIT_POLICIES[name as keyof typeof RATE_LIMIT_POLICIES];
    expect({ q, w }, name).toEqual({ q: known.limit, w: known.period });
    const { r, t } = left.get(name) ?? { r: -1, t: -1 };
    expect(r).toBeLessThan(q);
    expect(t).toBeGreaterThan(0);
    expect(t).toBeLessThanOrEqual(w);
  }
  return left;
}

describe("rate-limit headers", () => {
  it("announce the per-IP policy on anonymous answers, errors included", async () => {
    const health = await call("GET", "/v1/system/health");
    expect([...announced(health).keys()]).toEqual(["ip"]);
    const unauthenticated = await call("GET", "/v1/users/me");
    expect(unauthenticated.status).toBe(401);
    expect([...announced(unauthenticated).keys()]).toEqual(["ip"]);
  });

  it("announce the caller's endpoint class, counting down per user", async () => {
    const user = await createUser();
    const first = await call("GET", "/v1/users/me", { token: user.accessToken });
    const second = await call("GET", "/v1/users/me", { token: user.accessToken });
    const [before, after] = [announced(first).get("reads"), announced(second).get("reads")];
    expect(before).toBeDefined();
    // Unless the window rolled over between the two calls, the second has one unit less.
    if ((after?.t ?? 0) <= (before?.t ?? 0)) expect(after?.r).toBe((before?.r ?? 0) - 1);
    const write = await call("POST", "/v1/projects", {
      token: user.accessToken,
      body: { name: "classes" },
    });
    expect([...announced(write).keys()]).toEqual(["ip", "writes"]);
  });

  it("count semantic and hybrid searches as embeddings too, keyword ones not", async () => {
    const user = await createUser();
    const { projectId } = await seedProject(user.id);
    const search = (mode: string) =>
      call("POST", `/v1/projects/${projectId}/search`, {
        token: user.accessToken,
        body: { query: "anything", mode },
      });
    expect([...announced(await search("keyword")).keys()]).toEqual(["ip", "search"]);
    expect([...announced(await search("semantic")).keys()]).toEqual(["ip", "search", "embedding"]);
    expect([...announced(await search("hybrid")).keys()]).toEqual(["ip", "search", "embedding"]);
  });

  it("announce per-link and per-IP policies on public-link reads", async () => {
    const user = await createUser();
    const { linkToken } = await seedProject(user.id);
    const response = await call("GET", `/v1/shared/${linkToken}`);
    await expectStatus(response.clone(), 200);
    expect([...announced(response).keys()]).toEqual(["ip", "public", "link"]);
  });
});

describe("the OpenAPI document", () => {
  it("documents the fields on answers, and 429 with Retry-After on every operation", async () => {
    const doc = await expectStatus<{
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    }>(await call("GET", "/openapi.json"), 200);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ what: `${method} ${path}`, operation })),
    );
    for (const { what, operation } of operations) {
      const limited = operation.responses["429"];
      expect(Object.keys(limited?.headers ?? {}), what).toEqual([
        "RateLimit-Policy",
        "RateLimit",
        "Access-Control-Allow-Origin",
        "Retry-After",
      ]);
    }
    const me = doc.paths["/v1/users/me"]?.get?.responses["200"];
    expect(Object.keys(me?.headers ?? {})).toEqual([
      "RateLimit-Policy",
      "RateLimit",
      "Access-Control-Allow-Origin",
    ]);
  });
});

describe("rate limits", () => {
  it("stop password guesses per account with 429 and Retry-After, changing nothing", async () => {
    const user = await createUser();
    const { limit, period } = RATE_LIMIT_POLICIES.password;
    const guess = () => changePassword(user, "wrong guess");
    await withinOneWindow(period);
    for (let attempt = 0; attempt < limit; attempt++) {
      await expectProblem(await guess(), 401, "INVALID_CREDENTIALS");
    }
    const limited = await guess();
    expect(announced(limited).get("password")?.r).toBe(0);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectProblem(limited, 429, "RATE_LIMITED");
    // Even the right password waits now, and the old password still logs in.
    await expectProblem(await changePassword(user, user.password), 429, "RATE_LIMITED");
    await expectStatus(
      await call("POST", "/v1/auth/login", {
        body: { email: user.email, password: user.password },
      }),
      200,
    );
    // Renaming is a plain write, not a password attempt.
    await expectStatus(
      await call("PATCH", "/v1/users/me", { token: user.accessToken, body: { name: "Still me" } }),
      200,
    );
  });

  it("stop url adds per project and caller past the ingest policy", async () => {
    const user = await createUser();
    const { projectId } = await seedProject(user.id);
    const add = () =>
      call("POST", `/v1/projects/${projectId}/urls`, {
        token: user.accessToken,
        body: { url: site("/rate-limited") },
      });
    const statuses: number[] = [];
    await withinOneWindow(RATE_LIMIT_POLICIES.ingest.period);
    for (let i = 0; i <= RATE_LIMIT_POLICIES.ingest.limit; i++) statuses.push((await add()).status);
    expect(statuses.slice(0, -1).every((status) => status === 202)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Another project of the same caller has its own budget.
    const other = await seedProject(user.id);
    await expectStatus(
      await call("POST", `/v1/projects/${other.projectId}/urls`, {
        token: user.accessToken,
        body: { url: site("/rate-limited") },
      }),
      202,
    );
  });
});
