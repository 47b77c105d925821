import { createMiddleware } from "hono/factory";
import type { AppEnv, Caller } from "../app";
import { getConfig } from "../config";
import { getDb, selectRows, sql } from "../database";
import { RateLimited } from "../exceptions";
import { authSettings } from "./config";
import { API_KEY_PREFIX, RATE_LIMIT_PERIOD_SECONDS } from "./constants";
import {
  AdminRequired,
  InsufficientScope,
  InteractiveLoginRequired,
  InvalidToken,
  NotAuthenticated,
} from "./exceptions";
import { verifyAccessToken } from "./tokens";
import { sha256Hex } from "./utils";

async function callerFromApiKey(db: ReturnType<typeof getDb>, key: string): Promise<Caller> {
  const [row] = await selectRows<{
    user_id: string;
    role: Caller["role"];
    scope: Caller["scope"];
    project_ids: string[] | null;
  }>(
    db,
    sql`update api_keys k set last_used_at = now()
        from users u
        where k.key_hash = ${await sha256Hex(key)} and u.id = k.user_id
          and (k.expires_at is null or k.expires_at > now())
        returning k.user_id, u.role, k.scope, to_json(k.project_ids) as project_ids`,
  );
  if (!row) throw new InvalidToken();
  const { user_id: userId, role, scope, project_ids: projectIds } = row;
  return { userId, role, via: "api_key", scope, projectIds };
}

/** Methods a `read` key may use; other methods need `write` unless the route says otherwise. */
const READ_METHODS = new Set(["GET", "HEAD"]);

/**
 * Establishes the caller from `Authorization: Bearer <JWT | lb_ API key>` and sets `caller`.
 * A JWT costs no database round trip; an API key costs one. `needs` is the key scope the route
 * takes: by default `read` for GET and HEAD and `write` for anything else.
 */
function authenticateFor(needs?: Caller["scope"]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw new NotAuthenticated();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = match?.[1];
    if (!token) throw new NotAuthenticated("The Authorization header must be `Bearer <token>`.");
    const caller = token.startsWith(API_KEY_PREFIX)
      ? await callerFromApiKey(getDb(c.env), token)
      : await verifyAccessToken(authSettings(getConfig(c.env)), token);
    const needed = needs ?? (READ_METHODS.has(c.req.method) ? "read" : "write");
    if (needed === "write" && caller.scope === "read") throw new InsufficientScope();
    c.set("caller", caller);
    await next();
  });
}

/** Any caller; a `read` API key only on GET and HEAD. */
export const authenticate = authenticateFor();

/** Any caller, `read` keys included, on a POST that only reads (search). */
export const authenticateReader = authenticateFor("read");

/**
 * `authenticate`, then 403 `INTERACTIVE_LOGIN_REQUIRED` unless the caller holds an access token
 * from a login: a leaked API key must not be able to mint keys, change the password or delete
 * the account, which would make the leak permanent.
 */
/** The 403 of a write behind `requireInteractive`: a read key, or any key at all. */
export const INTERACTIVE_WRITE_403 = [
  403,
  "INSUFFICIENT_SCOPE",
  "INTERACTIVE_LOGIN_REQUIRED",
] as const;

export const requireInteractive = createMiddleware<AppEnv>(async (c, next) =>
  authenticate(c, async () => {
    if (c.get("caller").via !== "jwt") throw new InteractiveLoginRequired();
    await next();
  }),
);

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
