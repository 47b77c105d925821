import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

const secret = new TextEncoder().encode(env.JWT_SECRET);
const issuer = env.JWT_ISSUER;
const audience = env.JWT_AUDIENCE;

function claims(user: TestUser) {
  return new SignJWT({ role: "user" })
    .setSubject(user.id)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime("5m")
    .setJti(crypto.randomUUID());
}

function base64url(value: object): string {
  return btoa(JSON.stringify(value)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
}

describe("access tokens on GET /v1/users/me", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await createUser();
  });

  it("accepts a valid access JWT without a database round trip to authenticate", async () => {
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", "/v1/users/me", { token: user.accessToken }),
    );
    await expectStatus(result, 200);
    // The one round trip is the `me` statement itself.
    expect(roundTrips).toBe(1);
  });

  it("is 401 NOT_AUTHENTICATED without credentials", async () => {
    await expectProblem(await call("GET", "/v1/users/me"), 401, "NOT_AUTHENTICATED");
  });

  const forged: [string, (user: TestUser) => Promise<string>][] = [
    [
      "a tampered payload",
      async (u) => {
        const [header, , signature] = u.accessToken.split(".");
        const payload = base64url({
          sub: crypto.randomUUID(),
          role: "admin",
          iss: issuer,
          aud: audience,
        });
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      "an expired token",
      (u) =>
        claims(u)
          .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
          .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 1800)
          .sign(secret),
    ],
    [
      "a wrong audience",
      (u) =>
        claims(u)
          .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
          .setAudience("other-api")
          .sign(secret),
    ],
    [
      "a wrong issuer",
      (u) =>
        claims(u)
          .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
          .setIssuer("https://evil.example")
          .sign(secret),
    ],
    [
      "alg none",
      async (u) => {
        const header = base64url({ alg: "none", typ: "at+jwt" });
        const now = Math.floor(Date.now() / 1000);
        const payload = base64url({
          sub: u.id,
          iss: issuer,
          aud: audience,
          iat: now,
          exp: now + 300,
          jti: "x",
        });
        return `${header}.${payload}.`;
      },
    ],
    [
      "an RS256 token (algorithm confusion)",
      async (u) => {
        const { privateKey, publicKey } = await generateKeyPair("RS256");
        expect(await exportJWK(publicKey)).toHaveProperty("n");
        return claims(u).setProtectedHeader({ alg: "RS256", typ: "at+jwt" }).sign(privateKey);
      },
    ],
    [
      "an HS512 token with the right secret",
      (u) => claims(u).setProtectedHeader({ alg: "HS512", typ: "at+jwt" }).sign(secret),
    ],
    ["a wrong typ", (u) => claims(u).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(secret)],
    [
      "a token signed with another secret",
      (u) =>
        claims(u)
          .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
          .sign(new TextEncoder().encode("x".repeat(64))),
    ],
    ["garbage", async () => "not.a.jwt"],
  ];

  it.each(forged)("is 401 INVALID_TOKEN for %s", async (_, forge) => {
    await expectProblem(
      await call("GET", "/v1/users/me", { token: await forge(user) }),
      401,
      "INVALID_TOKEN",
    );
  });

  it("accepts a token it did not issue when every pinned parameter matches (control case)", async () => {
    const token = await claims(user)
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
      .sign(secret);
    await expectStatus(await call("GET", "/v1/users/me", { token }), 200);
  });
});
