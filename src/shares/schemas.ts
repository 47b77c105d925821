import * as z from "zod";
import { VISIBLE_PREFIX_LENGTH } from "../auth/constants";
import { Project } from "../projects/schemas";
import { Timestamp, Uuid } from "../schemas";
import { EMAIL_MAX, Email, USER_NAME_MAX } from "../users/schemas";
import { LINK_TOKEN_PREFIX, SHARE_ROLES } from "./constants";

/** `lbp_` and base64url of 32 random bytes. */
const LINK_TOKEN_LENGTH = LINK_TOKEN_PREFIX.length + 43;

export const ShareRoleSchema = z.enum(SHARE_ROLES).openapi("ShareRole");

export const ShareCreate = z
  .strictObject({
    email: Email.openapi({ description: "The user to share with; matched in any letter case" }),
    role: ShareRoleSchema,
  })
  .openapi("ShareCreate");

export const ShareUpdate = z.strictObject({ role: ShareRoleSchema }).openapi("ShareUpdate");

export const Share = z
  .object({
    id: Uuid,
    user: z.object({
      id: Uuid,
      name: z.string().max(USER_NAME_MAX).nullable(),
      email: z.email().max(EMAIL_MAX),
    }),
    role: ShareRoleSchema,
    created_at: Timestamp,
  })
  .openapi("Share");

export const LinkCreate = z
  .strictObject({
    expires_at: z.iso
      .datetime({ offset: true })
      .max(40)
      .refine((value) => Date.parse(value) > Date.now(), "must be in the future")
      .optional()
      .openapi({ description: "RFC 3339; omitted means the link never expires" }),
  })
  .openapi("LinkCreate");

export const Link = z
  .object({
    id: Uuid,
    prefix: z
      .string()
      .max(VISIBLE_PREFIX_LENGTH)
      .regex(/^[\w-]+$/)
      .openapi({ description: "The token's first characters, to recognise it" }),
    expires_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .openapi("Link");

export const LinkCreated = z
  .object({
    id: Uuid,
    token: z
      .string()
      .max(LINK_TOKEN_LENGTH)
      .regex(new RegExp(`^${LINK_TOKEN_PREFIX}[\\w-]{43}$`))
      .openapi({ description: "Shown only once; open /v1/shared/{token}" }),
    expires_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .openapi("LinkCreated");

/** What a public link shows: the project without the owner's id or email, role always viewer. */
export const SharedProject = Project.omit({ owner: true, role: true })
  .extend({
    owner: z.object({ name: z.string().max(USER_NAME_MAX).nullable() }),
    role: z.literal("viewer"),
  })
  .openapi("SharedProject");

export const ShareParams = z.object({ project_id: Uuid, share_id: Uuid });
export const LinkParams = z.object({ project_id: Uuid, link_id: Uuid });
export const TokenParam = z.object({
  token: z
    .string()
    .min(1)
    .max(200)
    .openapi({ description: "The public link's token, as `POST …/links` returned it" }),
});

export type Share = z.infer<typeof Share>;
export type Link = z.infer<typeof Link>;
export type LinkCreated = z.infer<typeof LinkCreated>;
export type SharedProject = z.infer<typeof SharedProject>;
