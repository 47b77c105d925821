import { createMiddleware } from "hono/factory";
import type { AppEnv, Caller } from "../app";
import { getConfig } from "../config";
import { getDb, selectRows, sql } from "../database";
import { RateLimited } from "../exceptions";
import { authSettings } from "./config";
import { API_KEY_PREFIX, RATE_LIMIT_PERIOD_SECONDS } from "./constants";
import { AdminRequired, InvalidToken, NotAuthenticated } from "./exceptions";
import { verifyAccessToken } from "./tokens";
import { sha256Hex } from "./utils";

async function callerFromApiKey(db: ReturnType<typeof getDb>, key: string): Promise<Caller> {
  const [row] = await selectRows<{ user_id: string; role: Caller["role"] }>(
    db,
    sql`update api_keys k set last_used_at = now()
        from users u
        where k.key_hash = ${await sha256Hex(key)} and u.id = k.user_id
          and (k.expires_at is null or k.expires_at > now())
        returning k.user_id, u.role`,
  );
  if (!row) throw new InvalidToken();
  return { userId: row.user_id, role: row.role, via: "api_key" };
}

/**
 * Establishes the caller from `Authorization: Bearer <JWT | lb_ API key>` and sets `caller`.
 * A JWT costs no database round trip; an API key costs one.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  if (!header) throw new NotAuthenticated();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const token = match?.[1];
  if (!token) throw new NotAuthenticated("The Authorization header must be `Bearer <token>`.");
  const caller = token.startsWith(API_KEY_PREFIX)
    ? await callerFromApiKey(getDb(c.env), token)
    : await verifyAccessToken(authSettings(getConfig(c.env)), token);
  c.set("caller", caller);
  await next();
});

/** `authenticate`, then 403 unless the caller is an administrator. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) =>
  authenticate(c, async () => {
    if (c.get("caller").role !== "admin") throw new AdminRequired();
    await next();
  }),
);

/**
 * Counts one request against each key with a Workers rate limiting binding; 429 with
 * `Retry-After` when any key is over. Without the binding (it is optional) nothing is limited.
 *
 * @example
 * await enforceRateLimit(c.env.PUBLIC_RATE_LIMITER, [`ip:${clientIp(c)}`]);
 */
export async function enforceRateLimit(limiter: RateLimit | undefined, keys: string[]) {
  if (!limiter) return;
  const outcomes = await Promise.all(keys.map((key) => limiter.limit({ key })));
  if (outcomes.some((outcome) => !outcome.success)) {
    throw new RateLimited(RATE_LIMIT_PERIOD_SECONDS);
  }
}

/** The client's address as Cloudflare reports it. */
export function clientIp(c: { req: { header(name: string): string | undefined } }): string {
  return c.req.header("cf-connecting-ip") ?? "unknown";
}

/** Login and register: throttled per client IP and per email. */
export function enforceAuthRateLimit(
  c: { env: AppEnv["Bindings"]; req: { header(name: string): string | undefined } },
  email: string,
): Promise<void> {
  return enforceRateLimit(c.env.AUTH_RATE_LIMITER, [
    `ip:${clientIp(c)}`,
    `email:${email.toLowerCase()}`,
  ]);
}
