export const ErrorCode = {
  USER_NOT_FOUND: "USER_NOT_FOUND",
} as const;
