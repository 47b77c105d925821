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
