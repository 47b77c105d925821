import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RATE_LIMIT_POLICIES } from "../../src/limits/constants";

// The binding enforces what wrangler.toml says; responses announce what constants.ts says.
const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
const declared = new Map(
  [
    ...toml.matchAll(
      /\[\[ratelimits\]\]\s*name = "(\w+)"\s*namespace_id = "\d+"\s*simple = \{ limit = (\d+), period = (\d+) \}/g,
    ),
  ].map(([, name, limit, period]) => [name, { limit: Number(limit), period: Number(period) }]),
);

describe("rate-limit bindings", () => {
  it("declares every policy's binding with the limit and period responses announce", () => {
    for (const [policy, { limit, period }] of Object.entries(RATE_LIMIT_POLICIES)) {
      const binding = `${policy.toUpperCase()}_RATE_LIMITER`;
      expect(declared.get(binding), binding).toEqual({ limit, period });
    }
    expect(declared.size).toBe(Object.keys(RATE_LIMIT_POLICIES).length);
  });
});
