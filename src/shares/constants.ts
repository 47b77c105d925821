export const ErrorCode = {
  SHARE_NOT_FOUND: "SHARE_NOT_FOUND",
  SHARE_EXISTS: "SHARE_EXISTS",
  SHARE_WITH_OWNER: "SHARE_WITH_OWNER",
  LINK_NOT_FOUND: "LINK_NOT_FOUND",
  SHARED_LINK_NOT_FOUND: "SHARED_LINK_NOT_FOUND",
} as const;

export const SHARE_ROLES = ["viewer", "editor"] as const;
export type ShareRole = (typeof SHARE_ROLES)[number];

/** Public link tokens: `lbp_` + 32 random bytes (256 bits), distinct from `lb_` API keys. */
export const LINK_TOKEN_PREFIX = "lbp_";
export const LINK_TOKEN_BYTES = 32;
