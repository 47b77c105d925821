import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { projects } from "../projects/models";
import { sources } from "../sources/models";
import { URL_STATUSES } from "./constants";

export { URL_STATUSES };

export const urls = pgTable(
  "urls",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    normalizedUrl: text("normalized_url").notNull(),
    status: text("status", { enum: URL_STATUSES }).notNull().default("queued"),
    title: text("title"),
    // What the page states about itself (meta, Open Graph, JSON-LD), from the last extraction.
    description: text("description"),
    language: text("language"),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    siteName: text("site_name"),
    /** `{method, text_chars, ratio}`: which extraction path produced the chunks. */
    extraction: jsonb("extraction"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    /** When `error_code` was recorded: the last error, shown as `last_error` while retrying. */
    errorAt: timestamp("error_at", { withTimezone: true }),
    /** Deliveries started since the url was last queued by a user or the refresh cron. */
    attempts: integer("attempts").notNull().default(0),
    /** Times the cron re-queued the url after it stalled mid-ingest (see INGEST_STUCK_*). */
    stalls: integer("stalls").notNull().default(0),
    /** The chunk generation readers see; a new version is staged beside it, then switched to. */
    generation: bigint("generation", { mode: "number" }).notNull().default(0),
    httpStatus: integer("http_status"),
    contentType: text("content_type"),
    contentHash: text("content_hash"),
    bytes: integer("bytes"),
    etag: text("etag"),
    lastModified: text("last_modified"),
    snapshotKey: text("snapshot_key"),
    /** The source that discovered the url; null for urls added by hand (or of a deleted source). */
    sourceId: uuid("source_id").references(() => sources.id, { onDelete: "set null" }),
    /** Link hops from the crawl's start url (0 for sitemap urls). */
    sourceDepth: integer("source_depth"),
    /** The source's last sync that listed or linked the url. */
    sourceSync: integer("source_sync"),
    /** The sitemap's `<lastmod>` when the url was last queued for it. */
    lastmod: timestamp("lastmod", { withTimezone: true }),
    chunkCount: integer("chunk_count").notNull().default(0),
    fetchedAt: timestamp("fetched_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("urls_project_normalized_key").on(t.projectId, t.normalizedUrl),
    index("urls_project_created_idx").on(t.projectId, t.createdAt, t.id),
    index("urls_refresh_idx").on(t.status, t.fetchedAt),
    // A sync's end is "no url of the source still queued": one index range per check.
    index("urls_source_status_idx").on(t.sourceId, t.status),
    // Duplicate pages of a source are found by content (discovery-store.ts claimPage).
    index("urls_project_content_idx").on(t.projectId, t.contentHash),
    check(
      "urls_status_check",
      sql`${t.status} in ('queued', 'fetching', 'processing', 'ready', 'failed', 'gone')`,
    ),
  ],
);
