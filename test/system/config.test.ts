import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ConfigError, type Env, getConfig } from "../../src/config";
import worker from "../../src/main";
import { OPENAI_DEFAULT_MODEL } from "../../src/vectorization/embedders";
import * as vectorizationService from "../../src/vectorization/service";

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
    // A url waiting for its longest retry would be taken for stuck.
    [
      "a stuck deadline within the retry delay",
      { INGEST_RETRY_MAX_SECONDS: "3600", INGEST_STUCK_AFTER_SECONDS: "3600" },
      "INGEST_STUCK_AFTER_SECONDS",
    ],
  ])("fails on %s with one message naming it", (_, override, name) => {
    expect(() => getConfig({ ...validEnv, ...override })).toThrowError(ConfigError);
    expect(() => getConfig({ ...validEnv, ...override })).toThrowError(
      new RegExp(`^Invalid configuration: ${name}`),
    );
  });

  it("reads an empty OPENAI_EMBEDDING_MODEL as unset, for the recorded model and the embedder alike", () => {
    const openai = {
      ...validEnv,
      EMBEDDING_PROVIDER: "openai",
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      OPENAI_API_KEY: "sk-test",
      OPENAI_EMBEDDING_MODEL: "",
    };
    const config = getConfig(openai);
    expect(config.OPENAI_EMBEDDING_MODEL).toBeUndefined();
    const active = vectorizationService.activeModel(config).model;
    expect(active).toBe(OPENAI_DEFAULT_MODEL);
    expect(vectorizationService.getEmbedder(openai, config).model).toBe(active);
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
