import * as z from "zod";
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

const ChunkSize = z
  .number()
  .int()
  .min(CHUNK_SIZE_MIN)
  .max(CHUNK_SIZE_MAX)
  .openapi({
    description: `Characters per chunk, ${CHUNK_SIZE_MIN}..${CHUNK_SIZE_MAX} (default ${CHUNK_SIZE_DEFAULT}).`,
    example: CHUNK_SIZE_DEFAULT,
  });
const ChunkOverlap = z
  .number()
  .int()
  .min(0)
  .openapi({
    description:
      "Characters shared by neighbouring chunks, 0..chunk_size/2 (default min(200, chunk_size/5)). " +
      "On update it is checked against the stored chunk_size when only one of them changes.",
    example: 200,
  });
const RefreshIntervalHours = z
  .number()
  .int()
  .min(REFRESH_INTERVAL_MIN_HOURS)
  .max(REFRESH_INTERVAL_MAX_HOURS)
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
  .openapi("ProjectCreate");

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
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    settings: z.object({
      chunk_size: z.number().int(),
      chunk_overlap: z.number().int(),
      refresh_interval_hours: z.number().int().nullable(),
    }),
    owner: z.object({ id: z.uuid(), name: z.string().nullable(), email: z.string() }),
    role: ProjectRoleSchema.openapi({ description: "The caller's role on the project" }),
    counts: z.object({
      urls: z.number().int(),
      urls_ready: z.number().int(),
      urls_failed: z.number().int(),
      chunks: z.number().int(),
    }),
    created_at: z.string(),
    updated_at: z.string(),
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

export const ProjectIdParam = z.object({ project_id: z.uuid() });

export type Project = z.infer<typeof Project>;
export type ProjectCreate = z.infer<typeof ProjectCreate>;
export type ProjectUpdate = z.infer<typeof ProjectUpdate>;
