import { createRoute } from "@hono/zod-openapi";
import { createRouter, empty, json, jsonBody, problems } from "../app";
import { getConfig } from "../config";
import { getDb } from "../database";
import { LIST_422, PaginationQuery, pageSchema } from "../pagination";
import { authSettings } from "./config";
import { enforceAuthRateLimit, INTERACTIVE_WRITE_403, requireInteractive } from "./dependencies";
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
  operationId: "register",
  tags,
  security: [],
  summary: "Create an account",
  description: "Registers and logs in. Throttled per IP and per email.",
  request: { body: jsonBody(Register) },
  responses: {
    201: json(TokenPair, "Account created, with a first token pair"),
    ...problems(400, [409, "EMAIL_TAKEN"], 413, 415, 422, 429, 503),
  },
});

const loginRoute = createRoute({
  method: "post",
  path: "/login",
  operationId: "login",
  tags,
  security: [],
  summary: "Exchange email and password for tokens",
  description: "Unknown email and wrong password get the same 401. Throttled per IP and email.",
  request: { body: jsonBody(Login) },
  responses: {
    200: json(TokenPair, "Logged in"),
    ...problems(400, [401, "INVALID_CREDENTIALS"], 413, 415, 422, 429, 503),
  },
});

const refreshRoute = createRoute({
  method: "post",
  path: "/refresh",
  operationId: "refreshTokens",
  tags,
  security: [],
  summary: "Rotate a refresh token",
  description: "The presented token stops working; reusing a rotated one revokes its session.",
  request: { body: jsonBody(RefreshRequest) },
  responses: {
    200: json(TokenPair, "New token pair"),
    ...problems(400, [401, "REFRESH_TOKEN_INVALID", "REFRESH_TOKEN_REUSED"], 413, 415, 422, 503),
  },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/logout",
  operationId: "logout",
  tags,
  security: [],
  summary: "Revoke a refresh token's session",
  description: "Revokes the refresh token's whole session.",
  request: { body: jsonBody(RefreshRequest) },
  responses: {
    204: empty("Revoked"),
    ...problems(400, [401, "REFRESH_TOKEN_INVALID"], 413, 415, 422, 503),
  },
});

const logoutAllRoute = createRoute({
  method: "post",
  path: "/logout-all",
  operationId: "logoutAll",
  tags,
  security,
  summary: "Revoke every session (access token only)",
  description: "With `include_api_keys`, every API key too.",
  middleware: [requireInteractive] as const,
  request: { body: jsonBody(LogoutAll) },
  responses: {
    200: json(LoggedOut, "Revoked"),
    ...problems(400, 401, INTERACTIVE_WRITE_403, 413, 415, 422, 503),
  },
});

const createKeyRoute = createRoute({
  method: "post",
  path: "/api-keys",
  operationId: "createApiKey",
  tags,
  security,
  summary: "Create an API key (shown once; access token only)",
  description: "The key (`lb_…`) authenticates as you until it expires or is deleted.",
  middleware: [requireInteractive] as const,
  request: { body: jsonBody(ApiKeyCreate) },
  responses: {
    201: json(ApiKeyCreated, "Created; `key` is not shown again"),
    ...problems(
      400,
      401,
      INTERACTIVE_WRITE_403,
      413,
      415,
      [422, "VALIDATION_FAILED", "API_KEY_PROJECT_UNKNOWN"],
      503,
    ),
  },
});

const listKeysRoute = createRoute({
  method: "get",
  path: "/api-keys",
  operationId: "listApiKeys",
  tags,
  security,
  summary: "List your API keys",
  description: "Newest first; keys show only their prefix.",
  middleware: [requireInteractive] as const,
  request: { query: PaginationQuery },
  responses: {
    200: json(pageSchema(ApiKey), "Keys, without secrets"),
    ...problems(401, [403, "INTERACTIVE_LOGIN_REQUIRED"], LIST_422, 503),
  },
});

const deleteKeyRoute = createRoute({
  method: "delete",
  path: "/api-keys/{key_id}",
  operationId: "deleteApiKey",
  tags,
  security,
  summary: "Revoke an API key",
  description: "The key stops authenticating at once.",
  middleware: [requireInteractive] as const,
  request: { params: KeyIdParam },
  responses: {
    204: empty("Deleted"),
    ...problems(401, INTERACTIVE_WRITE_403, [404, "API_KEY_NOT_FOUND"], 422, 503),
  },
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
