export const ErrorCode = {
  CHUNK_NOT_FOUND: "CHUNK_NOT_FOUND",
} as const;
