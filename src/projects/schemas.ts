import * as z from "zod";
import { Int64, int32, Timestamp, Uuid } from "../schemas";
import { EMAIL_MAX, USER_NAME_MAX } from "../users/schemas";
import {
  CHUNK_SIZE_DEFAULT,
  CHUNK_SIZE_MAX,
  CHUNK_SIZE_MIN,
  PROJECT_DESCRIPTION_MAX,
  PROJECT_NAME_MAX,
  PROJECT_ROLES,
  REFRESH_INTERVAL_MAX_HOURS,
  REFRESH_INTERVAL_MIN_HOURS,
} from "./constants";

const ChunkSize = int32(CHUNK_SIZE_MIN, CHUNK_SIZE_MAX).openapi({
  description: `Characters per chunk, ${CHUNK_SIZE_MIN}..${CHUNK_SIZE_MAX} (default ${CHUNK_SIZE_DEFAULT}).`,
  example: CHUNK_SIZE_DEFAULT,
});
const ChunkOverlap = int32(0, CHUNK_SIZE_MAX / 2).openapi({
  description:
    "Characters shared by neighbouring chunks, 0..chunk_size/2 (default min(200, chunk_size/5)). " +
    "On update it is checked against the stored chunk_size when only one of them changes.",
  example: 200,
});
const RefreshIntervalHours = int32(REFRESH_INTERVAL_MIN_HOURS, REFRESH_INTERVAL_MAX_HOURS)
  .nullable()
  .openapi({
    description: `Re-fetch urls every n hours, ${REFRESH_INTERVAL_MIN_HOURS}..${REFRESH_INTERVAL_MAX_HOURS}; null (the default) never.`,
    example: 24,
  });

export const ProjectName = z.string().trim().min(1).max(PROJECT_NAME_MAX);
const Description = z.string().trim().max(PROJECT_DESCRIPTION_MAX).nullable();

/** Settings in a request: any subset; overlap and size are checked together when both are sent. */
export const ProjectSettingsInput = z
  .strictObject({
    chunk_size: ChunkSize.optional(),
    chunk_overlap: ChunkOverlap.optional(),
    refresh_interval_hours: RefreshIntervalHours.optional(),
  })
  .superRefine((settings, ctx) => {
    const { chunk_size: size, chunk_overlap: overlap } = settings;
    if (size !== undefined && overlap !== undefined && overlap * 2 > size) {
      ctx.addIssue({
        code: "custom",
        path: ["chunk_overlap"],
        message: `must be at most half of chunk_size (${Math.floor(size / 2)})`,
      });
    }
  })
  .openapi("ProjectSettingsInput");

export const ProjectCreate = z
  .strictObject({
    name: ProjectName,
    description: Description.optional(),
    settings: ProjectSettingsInput.optional(),
  })
  .openapi("ProjectCreate", {
    example: { name: "Docs", settings: { chunk_size: 1000, refresh_interval_hours: 24 } },
  });

export const ProjectUpdate = z
  .strictObject({
    name: ProjectName.optional(),
    description: Description.optional(),
    settings: ProjectSettingsInput.optional(),
  })
  .openapi("ProjectUpdate");

export const ProjectRoleSchema = z.enum(PROJECT_ROLES).openapi("ProjectRole");

export const Project = z
  .object({
    id: Uuid,
    name: z.string().max(PROJECT_NAME_MAX),
    description: z.string().max(PROJECT_DESCRIPTION_MAX).nullable(),
    settings: z.object({
      chunk_size: ChunkSize,
      chunk_overlap: ChunkOverlap,
      refresh_interval_hours: RefreshIntervalHours,
    }),
    owner: z.object({
      id: Uuid,
      name: z.string().max(USER_NAME_MAX).nullable(),
      email: z.email().max(EMAIL_MAX),
    }),
    role: ProjectRoleSchema.openapi({ description: "The caller's role on the project" }),
    counts: z.object({
      urls: Int64,
      urls_ready: Int64,
      urls_failed: Int64,
      chunks: Int64,
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Project");

export const ProjectListQuery = z.object({
  q: z
    .string()
    .max(PROJECT_NAME_MAX)
    .optional()
    .openapi({ description: "Name contains (any case)" }),
  role: ProjectRoleSchema.optional().openapi({ description: "Only projects where yours is this" }),
});

export const ProjectIdParam = z.object({ project_id: Uuid });

export type Project = z.infer<typeof Project>;
export type ProjectCreate = z.infer<typeof ProjectCreate>;
export type ProjectUpdate = z.infer<typeof ProjectUpdate>;
