import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ConfigError, type Env, getConfig } from "../../src/config";
import worker from "../../src/main";

const validEnv = env as unknown as Env;

describe("configuration", () => {
  it("parses the test bindings with their defaults", () => {
    const config = getConfig(validEnv);
    expect(config.ACCESS_TOKEN_TTL_SECONDS).toBe(900);
    expect(config.EMBEDDING_PROVIDER).toBe("local");
  });

  it.each([
    ["a missing secret", { JWT_SECRET: undefined }, "JWT_SECRET"],
    ["a short secret", { JWT_SECRET: "short" }, "JWT_SECRET"],
    ["a malformed number", { ACCESS_TOKEN_TTL_SECONDS: "soon" }, "ACCESS_TOKEN_TTL_SECONDS"],
    ["a bad connection string", { DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    ["an unknown provider", { EMBEDDING_PROVIDER: "magic" }, "EMBEDDING_PROVIDER"],
  ])("fails on %s with one message naming it", (_, override, name) => {
    expect(() => getConfig({ ...validEnv, ...override })).toThrowError(ConfigError);
    expect(() => getConfig({ ...validEnv, ...override })).toThrowError(
      new RegExp(`^Invalid configuration: ${name}`),
    );
  });

  it("answers a misconfigured request with a bare 500 and logs one JSON line naming the setting", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await worker.fetch(
      new Request("http://linkbase.test/v1/users/me", {
        headers: { Authorization: "Bearer x", "X-Request-Id": "req-config-1" },
      }),
      { ...validEnv, JWT_SECRET: "short" },
      createExecutionContext(),
    );
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(body).toContain('"code":"INTERNAL_ERROR"');
    expect(body).not.toContain("JWT_SECRET");
    expect(log).toHaveBeenCalledOnce();
    const line = JSON.parse(String(log.mock.calls[0]?.[0])) as Record<string, string>;
    expect(line).toMatchObject({
      level: "error",
      request_id: "req-config-1",
      error: "ConfigError",
    });
    expect(line.message).toContain("JWT_SECRET");
    log.mockRestore();
  });
});
