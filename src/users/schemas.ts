import * as z from "zod";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../auth/constants";
import { Int64, int32, Timestamp, Uuid } from "../schemas";

export const EMAIL_MAX = 254;
export const USER_NAME_MAX = 200;

export const Email = z
  .email()
  .max(EMAIL_MAX)
  .transform((email) => email.trim())
  .openapi({ example: "ada@example.com" });
export const Password = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);
export const UserName = z.string().trim().min(1).max(USER_NAME_MAX);

export const User = z
  .object({
    id: Uuid,
    email: z.email().max(EMAIL_MAX),
    name: z.string().max(USER_NAME_MAX).nullable(),
    role: z.enum(["user", "admin"]),
    created_at: Timestamp,
  })
  .openapi("User");

export const UserMe = User.extend({
  stats: z.object({
    projects: Int64,
    urls: Int64,
    chunks: Int64,
  }),
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
      refresh_tokens_revoked: Int64,
      api_keys_kept: Int64,
      access_tokens_valid_for_seconds: int32(0, 86_400),
    })
    .optional()
    .openapi({ description: "After a password change: what was revoked and what survives" }),
}).openapi("UserUpdated");

export const UserListQuery = z.object({
  q: z.string().max(USER_NAME_MAX).optional().openapi({ description: "Email or name contains" }),
});

export type User = z.infer<typeof User>;
export type UserMe = z.infer<typeof UserMe>;
export type UserUpdated = z.infer<typeof UserUpdated>;
