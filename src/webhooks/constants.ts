export const ErrorCode = {
  WEBHOOK_NOT_FOUND: "WEBHOOK_NOT_FOUND",
} as const;

/**
 * Events a webhook may subscribe to. `url.gone` (a source's page that disappeared) is recorded by
 * `markGone` (src/ingestion/store.ts), `source.synced` (a source finished a sync) by `finishSync`
 * (src/ingestion/discovery-store.ts), each in the statement that makes the change.
 */
export const WEBHOOK_EVENTS = [
  "url.ready",
  "url.failed",
  "url.gone",
  "source.synced",
  "project.deleted",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

/** Standard Webhooks secrets: `whsec_` + base64 of 32 random bytes. */
export const SECRET_PREFIX = "whsec_";
export const SECRET_BYTES = 32;

/** A receiver gets this long to answer; a slower one counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** The attempt log keeps the latest attempts only; `attempts` still counts them all. */
export const ATTEMPT_LOG_LENGTH = 20;

/** Error texts of an attempt, as stored in the attempt log. */
export const ATTEMPT_ERROR_MAX = 300;
