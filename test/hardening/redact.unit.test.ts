import { describe, expect, it } from "vitest";
import { redact } from "../../src/exceptions";

describe("redact (what error logs may contain)", () => {
  it.each([
    ["postgresql://user:s3cret@db.example/neondb failed", "s3cret"],
    ["header was Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "eyJhbGciOiJIUzI1NiJ9"],
    ["key lb_abcdefghijklmnop rejected", "lb_abcdefghijklmnop"],
  ])("removes the secret from %j", (message, secret) => {
    const cleaned = redact(message);
    expect(cleaned).not.toContain(secret);
    expect(cleaned.length).toBeGreaterThan(10);
  });
});
