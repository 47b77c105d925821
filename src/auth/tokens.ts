import { errors, jwtVerify, SignJWT } from "jose";
import type { Caller } from "../app";
import type { AuthSettings } from "./config";
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from "./constants";
import { InvalidToken } from "./exceptions";
import { randomToken } from "./utils";

/** Signs a short-lived access JWT; `role` rides along so admin checks need no database. */
export async function issueAccessToken(
  settings: AuthSettings,
  user: { id: string; role: Caller["role"] },
): Promise<string> {
  return new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: ACCESS_TOKEN_TYPE })
    .setSubject(user.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${settings.accessTokenTtlSeconds}s`)
    .setJti(randomToken(16))
    .sign(settings.secret);
}

/**
 * Verifies an access JWT with algorithm, issuer, audience and type pinned, so `alg: none`,
 * RS/HS confusion and tokens minted for another audience all fail the same way.
 */
export async function verifyAccessToken(settings: AuthSettings, token: string): Promise<Caller> {
  try {
    const { payload } = await jwtVerify(token, settings.secret, {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: settings.issuer,
      audience: settings.audience,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ["sub", "iat", "exp", "jti"],
    });
    const role = payload.role === "admin" ? "admin" : "user";
    if (typeof payload.sub !== "string") throw new InvalidToken();
    return { userId: payload.sub, role, via: "jwt", scope: "write", projectIds: null };
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof InvalidToken)
      throw new InvalidToken();
    throw error;
  }
}
