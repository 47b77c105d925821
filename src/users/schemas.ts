import * as z from "zod";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../auth/constants";
import { QuotaUsage } from "../limits/schemas";

export const Email = z
  .email()
  .max(254)
  .transform((email) => email.trim())
  .openapi({ example: "ada@example.com" });
export const Password = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);
export const UserName = z.string().trim().min(1).max(200);

export const User = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(["user", "admin"]),
    created_at: z.string(),
  })
  .openapi("User");

export const UserMe = User.extend({
  stats: z.object({
    projects: z.number().int(),
    urls: z.number().int(),
    chunks: z.number().int(),
  }),
  usage: QuotaUsage,
}).openapi("UserMe");

export const UserUpdate = z
  .union([
    z.strictObject({ name: UserName.nullable() }),
    z.strictObject({
      password: Password,
      current_password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
    }),
  ])
  .openapi("UserUpdate");

export const UserUpdated = User.extend({
  credentials: z
    .object({
      refresh_tokens_revoked: z.number().int(),
      api_keys_kept: z.number().int(),
      access_tokens_valid_for_seconds: z.number().int(),
    })
    .optional()
    .openapi({ description: "After a password change: what was revoked and what survives" }),
}).openapi("UserUpdated");

export const UserListQuery = z.object({ q: z.string().max(200).optional() });

export type User = z.infer<typeof User>;
export type UserMe = z.infer<typeof UserMe>;
export type UserUpdated = z.infer<typeof UserUpdated>;
