import * as z from "zod";
import { Email, Password, User, UserName } from "../users/schemas";
import { API_KEY_MAX_PROJECTS, API_KEY_SCOPES } from "./constants";

export const Register = z
  .strictObject({ email: Email, password: Password, name: UserName.optional() })
  .openapi("Register");

export const Login = z
  .strictObject({ email: Email, password: z.string().min(1).max(1024) })
  .openapi("Login");

export const RefreshRequest = z
  .strictObject({ refresh_token: z.string().min(1).max(512) })
  .openapi("RefreshRequest");

export const TokenPair = z
  .object({
    user: User,
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int(),
  })
  .openapi("TokenPair");

export const ApiKeyCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    expires_at: z.iso
      .datetime({ offset: true })
      .refine((value) => Date.parse(value) > Date.now(), "must be in the future")
      .optional(),
    scope: z
      .enum(API_KEY_SCOPES)
      .default("write")
      .openapi({ description: "read: view and search; write: also change" }),
    project_ids: z
      .array(z.uuid())
      .min(1)
      .max(API_KEY_MAX_PROJECTS)
      .refine((ids) => new Set(ids).size === ids.length, "must not repeat a project")
      .optional()
      .openapi({ description: "Limit the key to these projects" }),
  })
  .openapi("ApiKeyCreate");

export const ApiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    scope: z.enum(API_KEY_SCOPES),
    project_ids: z.array(z.uuid()).nullable(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
  })
  .openapi("ApiKey");

export const ApiKeyCreated = ApiKey.omit({ last_used_at: true })
  .extend({ key: z.string().openapi({ description: "Shown only once" }) })
  .openapi("ApiKeyCreated");

export const LogoutAll = z
  .strictObject({
    include_api_keys: z.boolean().default(false),
  })
  .openapi("LogoutAll");

export const LoggedOut = z
  .object({
    refresh_tokens_revoked: z.number().int(),
    api_keys_revoked: z.number().int(),
    access_tokens_valid_for_seconds: z
      .number()
      .int()
      .openapi({ description: "Issued access tokens work until they expire, at most this long" }),
  })
  .openapi("LoggedOut");

export const KeyIdParam = z.object({ key_id: z.uuid() });

export type TokenPair = z.infer<typeof TokenPair>;
export type ApiKey = z.infer<typeof ApiKey>;
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;
export type LoggedOut = z.infer<typeof LoggedOut>;
