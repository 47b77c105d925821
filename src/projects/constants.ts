export const ErrorCode = {
  PROJECT_NOT_FOUND: "PROJECT_NOT_FOUND",
  INSUFFICIENT_ROLE: "INSUFFICIENT_ROLE",
} as const;

/** Roles on a project, weakest first: each one can do everything the ones before it can. */
export const PROJECT_ROLES = ["viewer", "editor", "owner"] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export const PROJECT_NAME_MAX = 200;
export const PROJECT_DESCRIPTION_MAX = 2000;

/** Characters per chunk: small enough to embed well, large enough to carry context. */
export const CHUNK_SIZE_MIN = 200;
export const CHUNK_SIZE_MAX = 8000;
export const CHUNK_SIZE_DEFAULT = 1000;
/** Overlap may be at most half the chunk size (the table also checks `overlap < size`). */
export const CHUNK_OVERLAP_DEFAULT = 200;
/** 1 hour .. 1 year; null means never refresh automatically. */
export const REFRESH_INTERVAL_MIN_HOURS = 1;
export const REFRESH_INTERVAL_MAX_HOURS = 8760;

/**
 * The overlap a new project gets when it names none: the default, capped at a fifth of the
 * chunk size so a small `chunk_size` alone is still a valid request.
 *
 * @example
 * defaultChunkOverlap(1000); // 200
 * defaultChunkOverlap(400); // 80
 */
export function defaultChunkOverlap(chunkSize: number): number {
  return Math.min(CHUNK_OVERLAP_DEFAULT, Math.floor(chunkSize / 5));
}
