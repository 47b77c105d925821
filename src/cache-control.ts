import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./app";

/**
 * Caching policy of authenticated answers, decided in one place so a new route is covered by
 * default. `no-store` (no cache may keep it, not even the browser's) is the default for anything
 * that carries credentials or personal data: tokens and keys (`/v1/auth`), accounts and emails
 * (`/v1/users`, project owners, shares), link tokens (`/v1/shared/{token}`, `/links`) and
 * presigned snapshot URLs. Project content (urls, chunks, search, vectorization) is `private`:
 * a browser may keep it, shared caches may not. Responses to anonymous requests elsewhere
 * (health, OpenAPI) are left as they are.
 *
 * `Vary: Authorization, Origin` tells caches the answer depends on who asks and from where.
 */
const PRIVATE = /^\/v1\/(projects\/[^/]+\/(urls|chunks|search|vectorization)|vectorization)(\/|$)/;
const CREDENTIALS = /^\/v1\/(auth|shared)\/|\/snapshot$/;

export const cacheControl = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const path = c.req.path;
  const authenticated = c.req.header("authorization") !== undefined;
  if (!authenticated && !CREDENTIALS.test(path)) return;
  if (!c.res.headers.has("Cache-Control")) {
    const content = authenticated && PRIVATE.test(path) && !CREDENTIALS.test(path);
    c.res.headers.set("Cache-Control", content ? "private" : "no-store");
  }
  const vary = new Set(
    (c.res.headers.get("Vary") ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  );
  for (const name of ["Authorization", "Origin"]) vary.add(name);
  c.res.headers.set("Vary", [...vary].join(", "));
});
