import * as z from "zod";
import { Email, Password, User, UserName } from "../users/schemas";

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
  })
  .openapi("ApiKeyCreate");

export const ApiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
  })
  .openapi("ApiKey");

export const ApiKeyCreated = ApiKey.omit({ last_used_at: true })
  .extend({ key: z.string().openapi({ description: "Shown only once" }) })
  .openapi("ApiKeyCreated");

export const KeyIdParam = z.object({ key_id: z.uuid() });

export type TokenPair = z.infer<typeof TokenPair>;
export type ApiKey = z.infer<typeof ApiKey>;
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;
