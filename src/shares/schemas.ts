import * as z from "zod";
import { Project } from "../projects/schemas";
import { Email } from "../users/schemas";
import { SHARE_ROLES } from "./constants";

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
    id: z.uuid(),
    user: z.object({ id: z.uuid(), name: z.string().nullable(), email: z.string() }),
    role: ShareRoleSchema,
    created_at: z.string(),
  })
  .openapi("Share");

export const LinkCreate = z
  .strictObject({
    expires_at: z.iso
      .datetime({ offset: true })
      .refine((value) => Date.parse(value) > Date.now(), "must be in the future")
      .optional()
      .openapi({ description: "RFC 3339; omitted means the link never expires" }),
  })
  .openapi("LinkCreate");

export const Link = z
  .object({
    id: z.uuid(),
    prefix: z.string().openapi({ description: "The token's first characters, to recognise it" }),
    expires_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("Link");

export const LinkCreated = z
  .object({
    id: z.uuid(),
    token: z.string().openapi({ description: "Shown only once; open /v1/shared/{token}" }),
    expires_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("LinkCreated");

/** What a public link shows: the project without the owner's id or email, role always viewer. */
export const SharedProject = Project.omit({ owner: true, role: true })
  .extend({ owner: z.object({ name: z.string().nullable() }), role: z.literal("viewer") })
  .openapi("SharedProject");

export const ShareParams = z.object({ project_id: z.uuid(), share_id: z.uuid() });
export const LinkParams = z.object({ project_id: z.uuid(), link_id: z.uuid() });
export const TokenParam = z.object({ token: z.string().min(1).max(200) });

export type Share = z.infer<typeof Share>;
export type Link = z.infer<typeof Link>;
export type LinkCreated = z.infer<typeof LinkCreated>;
export type SharedProject = z.infer<typeof SharedProject>;
