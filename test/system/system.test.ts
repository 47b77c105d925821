import { afterEach, describe, expect, it } from "vitest";
import { call, countRoundTrips, expectProblem, expectStatus, setFault } from "../support/api";

describe("GET /v1/system/health", () => {
  afterEach(async () => {
    await setFault("database", "none");
    await setFault("storage", "none");
  });

  it("is 200 ok with database and storage latencies when both answer", async () => {
    const body = await expectStatus<{
      status: string;
      version: string;
      checks: Record<string, { status: string; latency_ms: number }>;
    }>(await call("GET", "/v1/system/health"), 200);
    expect(body.status).toBe("ok");
    expect(body.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(body.checks.database?.status).toBe("ok");
    expect(body.checks.storage?.status).toBe("ok");
    expect(body.checks.database?.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it("is 503 degraded naming the database when the database is down", async () => {
    await setFault("database", "down");
    const body = await expectStatus<{ status: string; checks: Record<string, { status: string }> }>(
      await call("GET", "/v1/system/health"),
      503,
    );
    expect(body.status).toBe("degraded");
    // A status and a latency only: the driver's reason goes to the log.
    expect(body.checks.database).toEqual({ status: "error", latency_ms: expect.any(Number) });
    expect(body.checks.storage?.status).toBe("ok");
  });

  it("is 503 degraded naming storage when S3 is down", async () => {
    await setFault("storage", "down");
    const body = await expectStatus<{ status: string; checks: Record<string, { status: string }> }>(
      await call("GET", "/v1/system/health"),
      503,
    );
    expect(body.status).toBe("degraded");
    expect(body.checks.storage?.status).toBe("error");
    expect(body.checks.database?.status).toBe("ok");
  });

  it("is 503 naming storage when S3 answers slower than the check allows", async () => {
    await setFault("storage", "slow");
    const body = await expectStatus<{ status: string; checks: Record<string, { status: string }> }>(
      await call("GET", "/v1/system/health"),
      503,
    );
    expect(body.checks.storage?.status).toBe("error");
    expect(body.checks.database?.status).toBe("ok");
  });

  it("costs one database round trip", async () => {
    const { roundTrips } = await countRoundTrips(() => call("GET", "/v1/system/health"));
    expect(roundTrips).toBe(1);
  });
});

describe("GET /v1/system/info", () => {
  it("reports version, the local embedder and limits without touching the database", async () => {
    const { result, roundTrips } = await countRoundTrips(() => call("GET", "/v1/system/info"));
    const body = await expectStatus<{
      embedding: { provider: string; dimensions: number };
      limits: object;
    }>(result, 200);
    expect(body.embedding).toMatchObject({ provider: "local", dimensions: 384 });
    expect(body.limits).toHaveProperty("max_body_bytes");
    expect(roundTrips).toBe(0);
  });
});

describe("global behaviour", () => {
  it("answers an unknown route with a JSON 404 problem", async () => {
    await expectProblem(await call("GET", "/v1/nope"), 404, "NOT_FOUND");
  });

  it("echoes a valid X-Request-Id and generates one otherwise", async () => {
    const echoed = await call("GET", "/v1/system/info", { headers: { "X-Request-Id": "abc-123" } });
    expect(echoed.headers.get("x-request-id")).toBe("abc-123");
    const generated = await call("GET", "/v1/system/info", {
      headers: { "X-Request-Id": "bad id!" },
    });
    expect(generated.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
  });

  it("reports database time in Server-Timing", async () => {
    const response = await call("GET", "/v1/system/health");
    expect(response.headers.get("server-timing")).toMatch(/db;dur=[\d.]+;desc="1 round trips"/);
  });

  it("serves an OpenAPI 3.1 document describing the v1 paths", async () => {
    const doc = await expectStatus<{ openapi: string; paths: Record<string, unknown> }>(
      await call("GET", "/openapi.json"),
      200,
    );
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/v1/system/health");
  });

  it("serves the interactive reference at /docs", async () => {
    const response = await call("GET", "/docs");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("/openapi.json");
  });
});
