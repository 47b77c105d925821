/**
 * Every rate-limit policy and what one unit is counted per. Each is enforced by the Workers
 * binding `<POLICY>_RATE_LIMITER` (e.g. `READS_RATE_LIMITER`) declared in wrangler.toml, whose
 * `simple` limit and period must equal these (test/node/rate-limit-bindings.test.ts checks): the
 * binding, not the Worker, enforces them; they are repeated here so responses can announce them.
 */
export const RATE_LIMIT_POLICIES = {
  /** Every /v1 request, per client IP: the floor under anonymous endpoints such as health. */
  ip: { limit: 1200, period: 60 },
  /** Login and register, per client IP and per email. */
  auth: { limit: 10, period: 60 },
  /** Authenticated GETs, per user. */
  reads: { limit: 600, period: 60 },
  /** Authenticated POST/PATCH/PUT/DELETE other than search, per user. */
  writes: { limit: 120, period: 60 },
  /** Every project search, per user. */
  search: { limit: 120, period: 60 },
  /** Semantic and hybrid searches also count here, per user: each one is an embedding call. */
  embedding: { limit: 30, period: 60 },
  /** Password changes (current_password guesses), per account. */
  password: { limit: 5, period: 60 },
  /** Url adds and refreshes, per project. */
  ingest: { limit: 30, period: 60 },
  /** Anything under /v1/shared/{token}, per link. */
  link: { limit: 120, period: 60 },
  /** Anything under /v1/shared, per client IP. */
  public: { limit: 60, period: 60 },
} as const;

export type RateLimitPolicyName = keyof typeof RATE_LIMIT_POLICIES;

/** Quota names as they appear in `QUOTA_EXCEEDED` problems and in `GET /v1/users/me`. */
export const QUOTAS = [
  "projects_per_user",
  "api_keys_per_user",
  "urls_per_project",
  "links_per_project",
  "chunks_per_project",
  "webhooks_per_project",
] as const;

export type QuotaName = (typeof QUOTAS)[number];

export const ErrorCode = { QUOTA_EXCEEDED: "QUOTA_EXCEEDED" } as const;
