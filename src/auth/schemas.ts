import * as z from "zod";
import { Int64, int32, Timestamp, Uuid } from "../schemas";
import { Email, Password, User, UserName } from "../users/schemas";
import {
  API_KEY_MAX_PROJECTS,
  API_KEY_PREFIX,
  API_KEY_SCOPES,
  VISIBLE_PREFIX_LENGTH,
} from "./constants";

export const API_KEY_NAME_MAX = 100;

/** base64url of 32 random bytes (`utils.randomToken`). */
const RANDOM_32 = "[A-Za-z0-9_-]{43}";

export const Register = z
  .strictObject({ email: Email, password: Password, name: UserName.optional() })
  .openapi("Register", {
    example: { email: "ada@example.com", password: "correct horse battery", name: "Ada" },
  });

export const Login = z
  .strictObject({ email: Email, password: z.string().min(1).max(1024) })
  .openapi("Login", { example: { email: "ada@example.com", password: "correct horse battery" } });

export const RefreshRequest = z
  .strictObject({ refresh_token: z.string().min(1).max(512) })
  .openapi("RefreshRequest");

export const TokenPair = z
  .object({
    user: User,
    access_token: z
      .string()
      .max(2048)
      .regex(/^[\w-]+\.[\w-]+\.[\w-]+$/)
      .openapi({ description: "A JWT; send it as `Authorization: Bearer …`" }),
    refresh_token: z
      .string()
      .max(43)
      .regex(new RegExp(`^${RANDOM_32}$`)),
    token_type: z.literal("Bearer"),
    expires_in: int32(60, 86_400).openapi({ description: "Seconds the access token lives" }),
  })
  .openapi("TokenPair");

const Scope = z.enum(API_KEY_SCOPES);
const ProjectIds = z.array(Uuid).min(1).max(API_KEY_MAX_PROJECTS);

export const ApiKeyCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(API_KEY_NAME_MAX),
    expires_at: z.iso
      .datetime({ offset: true })
      .max(40)
      .refine((value) => Date.parse(value) > Date.now(), "must be in the future")
      .optional(),
    scope: Scope.default("write").openapi({
      description: "read: view and search; write: also change",
    }),
    project_ids: ProjectIds.refine(
      (ids) => new Set(ids).size === ids.length,
      "must not repeat a project",
    )
      .optional()
      .openapi({ description: "Limit the key to these projects" }),
  })
  .openapi("ApiKeyCreate");

export const ApiKey = z
  .object({
    id: Uuid,
    name: z.string().max(API_KEY_NAME_MAX),
    prefix: z
      .string()
      .max(VISIBLE_PREFIX_LENGTH)
      .regex(/^[\w-]+$/)
      .openapi({ description: "The key's first characters, to recognise it" }),
    scope: Scope,
    project_ids: ProjectIds.nullable(),
    created_at: Timestamp,
    expires_at: Timestamp.nullable(),
    last_used_at: Timestamp.nullable(),
  })
  .openapi("ApiKey");

export const ApiKeyCreated = ApiKey.omit({ last_used_at: true })
  .extend({
    key: z
      .string()
      .max(API_KEY_PREFIX.length + 43)
      .regex(new RegExp(`^${API_KEY_PREFIX}${RANDOM_32}$`))
      .openapi({ description: "Shown only once" }),
  })
  .openapi("ApiKeyCreated");

export const LogoutAll = z
  .strictObject({
    include_api_keys: z.boolean().default(false),
  })
  .openapi("LogoutAll");

export const LoggedOut = z
  .object({
    refresh_tokens_revoked: Int64,
    api_keys_revoked: Int64,
    access_tokens_valid_for_seconds: int32(0, 86_400).openapi({
      description: "Issued access tokens work until they expire, at most this long",
    }),
  })
  .openapi("LoggedOut");

export const KeyIdParam = z.object({ key_id: Uuid });

export type TokenPair = z.infer<typeof TokenPair>;
export type ApiKey = z.infer<typeof ApiKey>;
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;
export type LoggedOut = z.infer<typeof LoggedOut>;
