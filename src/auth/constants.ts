export const ErrorCode = {
  NOT_AUTHENTICATED: "NOT_AUTHENTICATED",
  INVALID_TOKEN: "INVALID_TOKEN",
  INVALID_CREDENTIALS: "INVALID_CREDENTIALS",
  EMAIL_TAKEN: "EMAIL_TAKEN",
  REFRESH_TOKEN_INVALID: "REFRESH_TOKEN_INVALID",
  REFRESH_TOKEN_REUSED: "REFRESH_TOKEN_REUSED",
  ADMIN_REQUIRED: "ADMIN_REQUIRED",
  API_KEY_NOT_FOUND: "API_KEY_NOT_FOUND",
  INSUFFICIENT_SCOPE: "INSUFFICIENT_SCOPE",
  INTERACTIVE_LOGIN_REQUIRED: "INTERACTIVE_LOGIN_REQUIRED",
  API_KEY_PROJECT_UNKNOWN: "API_KEY_PROJECT_UNKNOWN",
} as const;

/** Cloudflare Workers caps PBKDF2 at 100,000 iterations; a stored hash above it is refused. */
export const PBKDF2_MAX_ITERATIONS = 100_000;
/** Iterations of new hashes; a test pins this at or below the cap. */
export const PBKDF2_ITERATIONS = 100_000;
export const PASSWORD_HASH_SCHEME = "pbkdf2-sha256";
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** RFC 9068 media type of access tokens; checked so no other JWT passes as one. */
export const ACCESS_TOKEN_TYPE = "at+jwt";
export const ACCESS_TOKEN_ALGORITHM = "HS256";
export const API_KEY_PREFIX = "lb_";
export const API_KEY_SCOPES = ["read", "write"] as const;
/** Projects one API key may be limited to. */
export const API_KEY_MAX_PROJECTS = 100;
/** Characters of a key or link token that lists may show. */
export const VISIBLE_PREFIX_LENGTH = 10;
