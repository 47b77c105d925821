import { describe, expect, it } from "vitest";
import { PBKDF2_ITERATIONS } from "../../src/auth/constants";
import { sql } from "../../src/database";
import { RATE_LIMIT_POLICIES } from "../../src/limits/constants";
import { query } from "../projects/fixtures";
import {
  call,
  countRoundTrips,
  expectProblem,
  expectStatus,
  withinOneWindow,
} from "../support/api";
import { changePassword, createUser, uniqueEmail } from "../support/factories";

const password = "correct horse battery";

describe("POST /v1/auth/register", () => {
  it("creates an account and returns a token pair in one round trip", async () => {
    const email = uniqueEmail();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", "/v1/auth/register", { body: { email, password, name: "Ada" } }),
    );
    const body = await expectStatus<Record<string, unknown>>(result, 201);
    expect(body).toMatchObject({
      user: { email, name: "Ada", role: "user" },
      token_type: "Bearer",
      expires_in: 900,
    });
    expect(body.access_token).toEqual(expect.any(String));
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(roundTrips).toBe(1);
  });

  it("makes an account listed in ADMIN_EMAILS an admin, whatever the letter case", async () => {
    const body = await expectStatus<{ user: { role: string } }>(
      await call("POST", "/v1/auth/register", {
        body: { email: "Register-Admin@Linkbase.test", password },
      }),
      201,
    );
    expect(body.user.role).toBe("admin");
  });

  it("is 409 EMAIL_TAKEN for an email registered in another letter case", async () => {
    const user = await createUser();
    await expectProblem(
      await call("POST", "/v1/auth/register", {
        body: { email: user.email.toUpperCase(), password },
      }),
      409,
      "EMAIL_TAKEN",
    );
  });

  it("creates exactly one account when the same email races in any letter case", async () => {
    const email = uniqueEmail();
    const spellings = [email, email.toUpperCase(), email, email.toUpperCase(), email, email];
    const responses = await Promise.all(
      spellings.map((spelling) =>
        call("POST", "/v1/auth/register", { body: { email: spelling, password } }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it.each([
    ["a bad email", { email: "not-an-email", password }, "body.email"],
    ["a short password", { email: uniqueEmail(), password: "1234567" }, "body.password"],
    ["a long password", { email: uniqueEmail(), password: "x".repeat(129) }, "body.password"],
    ["an unknown field", { email: uniqueEmail(), password, role: "admin" }, "body"],
    ["a missing password", { email: uniqueEmail() }, "body.password"],
  ])("is 422 for %s, naming the field", async (_, body, path) => {
    const problem = await expectProblem(
      await call("POST", "/v1/auth/register", { body }),
      422,
      "VALIDATION_FAILED",
    );
    expect((problem as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe(path);
  });

  it("is 400 for malformed JSON", async () => {
    await expectProblem(
      await call("POST", "/v1/auth/register", { body: '{"email": "a@b.co",' }),
      400,
      "MALFORMED_JSON",
    );
  });

  it("is 415 for a body that is not JSON", async () => {
    await expectProblem(
      await call("POST", "/v1/auth/register", {
        body: "email=a@b.co",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("is 413 for a body over the size limit", async () => {
    await expectProblem(
      await call("POST", "/v1/auth/register", {
        body: { email: uniqueEmail(), password, name: "x".repeat(2_000_000) },
      }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });
});

describe("POST /v1/auth/login", () => {
  it("logs in with the email in any case, in at most two round trips", async () => {
    const user = await createUser();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", "/v1/auth/login", { body: { email: user.email.toUpperCase(), password } }),
    );
    const body = await expectStatus<{ user: { id: string } }>(result, 200);
    expect(body.user.id).toBe(user.id);
    expect(roundTrips).toBeLessThanOrEqual(2);
  });

  it("answers a wrong password and an unknown email identically", async () => {
    const user = await createUser();
    const wrong = await expectProblem(
      await call("POST", "/v1/auth/login", {
        body: { email: user.email, password: "wrong password" },
      }),
      401,
      "INVALID_CREDENTIALS",
    );
    const unknown = await expectProblem(
      await call("POST", "/v1/auth/login", { body: { email: uniqueEmail(), password } }),
      401,
      "INVALID_CREDENTIALS",
    );
    expect(unknown.detail).toBe(wrong.detail);
  });

  it("is 429 with Retry-After after too many attempts from one address", async () => {
    const headers = { "CF-Connecting-IP": "203.0.113.77" };
    const statuses: number[] = [];
    let limited: Response | undefined;
    await withinOneWindow(RATE_LIMIT_POLICIES.auth.period);
    for (let attempt = 0; attempt < RATE_LIMIT_POLICIES.auth.limit + 5 && !limited; attempt++) {
      const response = await call("POST", "/v1/auth/login", {
        headers,
        body: { email: uniqueEmail(), password },
      });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(limited, `statuses: ${statuses.join(",")}`).toBeDefined();
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectProblem(limited as Response, 429, "RATE_LIMITED");
  });
});

describe("password hashing", () => {
  it("stays within the Workers PBKDF2 cap of 100,000 iterations", () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
  });

  it("refuses a stored hash above the cap as a failed login, not a 500", async () => {
    const user = await createUser();
    const [stored] = await query<{ password_hash: string }>(
      sql`select password_hash from users where id = ${user.id}`,
    );
    const [, , salt, hash] = stored?.password_hash.split("$") ?? [];
    await query(
      sql`update users set password_hash = ${`pbkdf2-sha256$100001$${salt}$${hash}`}
          where id = ${user.id}`,
    );
    await expectProblem(
      await call("POST", "/v1/auth/login", {
        body: { email: user.email, password: user.password },
      }),
      401,
      "INVALID_CREDENTIALS",
    );
    await expectProblem(await changePassword(user, user.password), 401, "INVALID_CREDENTIALS");
  });
});
