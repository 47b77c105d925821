import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Fetch slots per target host (`host:port`), shared by every consumer invocation: at most
 * FETCH_HOST_CONCURRENCY unexpired rows per host. A lease expires on its own, so a consumer that
 * dies mid-fetch frees its slot without help.
 */
export const hostLeases = pgTable(
  "host_leases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    host: text("host").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("host_leases_host_idx").on(t.host, t.expiresAt)],
);

/** A host that answered 429 or 503 is left alone until `until` (its Retry-After, bounded). */
export const hostBackoffs = pgTable("host_backoffs", {
  host: text("host").primaryKey(),
  until: timestamp("until", { withTimezone: true }).notNull(),
});

/**
 * The outbox of snapshot clean-up: a url, project or account deletion inserts its S3 prefixes
 * here in the same statement that deletes the rows, so a lost queue message cannot orphan them.
 * The consumer deletes a row once its prefix is gone from S3; the cron re-sends rows whose
 * `retry_at` has passed.
 */
export const storageDeletions = pgTable(
  "storage_deletions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    prefix: text("prefix").notNull(),
    // The request's own queue message gets a head start before the cron sends another.
    retryAt: timestamp("retry_at", { withTimezone: true })
      .notNull()
      .default(sql`now() + interval '5 minutes'`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("storage_deletions_retry_idx").on(t.retryAt)],
);
