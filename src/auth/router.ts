import { createRoute } from "@hono/zod-openapi";
import { createRouter, json, jsonBody, problems } from "../app";
import { getConfig } from "../config";
import { getDb } from "../database";
import { quotaLimits } from "../limits/quotas";
import { PaginationQuery, pageSchema } from "../pagination";
import { authSettings } from "./config";
import { enforceAuthRateLimit, requireInteractive } from "./dependencies";
import {
  ApiKey,
  ApiKeyCreate,
  ApiKeyCreated,
  KeyIdParam,
  LoggedOut,
  Login,
  LogoutAll,
  RefreshRequest,
  Register,
  TokenPair,
} from "./schemas";
import * as authService from "./service";

const tags = ["auth"];
const security = [{ bearer: [] }];

const registerRoute = createRoute({
  method: "post",
  path: "/register",
  tags,
  summary: "Create an account",
  request: { body: jsonBody(Register) },
  responses: { 201: json(TokenPair, "Account created"), ...problems(400, 409, 413, 415, 422, 429) },
});

const loginRoute = createRoute({
  method: "post",
  path: "/login",
  tags,
  summary: "Exchange email and password for tokens",
  request: { body: jsonBody(Login) },
  responses: { 200: json(TokenPair, "Logged in"), ...problems(400, 401, 415, 422, 429) },
});

const refreshRoute = createRoute({
  method: "post",
  path: "/refresh",
  tags,
  summary: "Rotate a refresh token",
  request: { body: jsonBody(RefreshRequest) },
  responses: { 200: json(TokenPair, "New token pair"), ...problems(400, 401, 415, 422) },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/logout",
  tags,
  summary: "Revoke a refresh token's session",
  request: { body: jsonBody(RefreshRequest) },
  responses: { 204: { description: "Revoked" }, ...problems(400, 401, 415, 422) },
});

const logoutAllRoute = createRoute({
  method: "post",
  path: "/logout-all",
  tags,
  security,
  summary: "Revoke every session, and with include_api_keys every API key (access token only)",
  middleware: [requireInteractive] as const,
  request: { body: jsonBody(LogoutAll) },
  responses: { 200: json(LoggedOut, "Revoked"), ...problems(400, 401, 403, 415, 422) },
});

const createKeyRoute = createRoute({
  method: "post",
  path: "/api-keys",
  tags,
  security,
  summary: "Create an API key (shown once; access token only)",
  middleware: [requireInteractive] as const,
  request: { body: jsonBody(ApiKeyCreate) },
  responses: { 201: json(ApiKeyCreated, "Created"), ...problems(400, 401, 403, 409, 415, 422) },
});

const listKeysRoute = createRoute({
  method: "get",
  path: "/api-keys",
  tags,
  security,
  summary: "List your API keys",
  middleware: [requireInteractive] as const,
  request: { query: PaginationQuery },
  responses: {
    200: json(pageSchema(ApiKey), "Keys, without secrets"),
    ...problems(401, 403, 422),
  },
});

const deleteKeyRoute = createRoute({
  method: "delete",
  path: "/api-keys/{key_id}",
  tags,
  security,
  summary: "Revoke an API key",
  middleware: [requireInteractive] as const,
  request: { params: KeyIdParam },
  responses: { 204: { description: "Deleted" }, ...problems(401, 403, 404, 422) },
});

export const authRouter = createRouter()
  .openapi(registerRoute, async (c) => {
    const input = c.req.valid("json");
    await enforceAuthRateLimit(c, input.email);
    const settings = authSettings(getConfig(c.env));
    return c.json(await authService.register({ db: getDb(c.env), settings, input }), 201);
  })
  .openapi(loginRoute, async (c) => {
    const input = c.req.valid("json");
    await enforceAuthRateLimit(c, input.email);
    const settings = authSettings(getConfig(c.env));
    return c.json(await authService.login({ db: getDb(c.env), settings, input }), 200);
  })
  .openapi(refreshRoute, async (c) => {
    const settings = authSettings(getConfig(c.env));
    const { refresh_token: refreshToken } = c.req.valid("json");
    return c.json(await authService.refresh({ db: getDb(c.env), settings, refreshToken }), 200);
  })
  .openapi(logoutRoute, async (c) => {
    const { refresh_token: refreshToken } = c.req.valid("json");
    await authService.logout({ db: getDb(c.env), refreshToken });
    return c.body(null, 204);
  })
  .openapi(logoutAllRoute, async (c) => {
    const loggedOut = await authService.logoutAll({
      db: getDb(c.env),
      settings: authSettings(getConfig(c.env)),
      userId: c.get("caller").userId,
      includeApiKeys: c.req.valid("json").include_api_keys,
    });
    return c.json(loggedOut, 200);
  })
  .openapi(createKeyRoute, async (c) => {
    const created = await authService.createApiKey({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      input: c.req.valid("json"),
      limit: quotaLimits(getConfig(c.env)).api_keys_per_user,
    });
    return c.json(created, 201);
  })
  .openapi(listKeysRoute, async (c) => {
    const page = await authService.listApiKeys({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      pagination: c.req.valid("query"),
    });
    return c.json(page, 200);
  })
  .openapi(deleteKeyRoute, async (c) => {
    await authService.deleteApiKey({
      db: getDb(c.env),
      userId: c.get("caller").userId,
      keyId: c.req.valid("param").key_id,
    });
    return c.body(null, 204);
  });
