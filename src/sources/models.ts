import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { projects } from "../projects/models";

/**
 * A whole site feeding a project: a sitemap or a bounded crawl. `sync` counts its discovery
 * rounds; every row the discovery writes (docs, skips, robots, urls.source_sync) carries the
 * round it belongs to, so a late message of an earlier round changes nothing.
 */
export const sources = pgTable(
  "sources",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    type: text("type", { enum: ["sitemap", "crawl"] }).notNull(),
    url: text("url").notNull(),
    include: text("include").array().notNull().default(sql`'{}'`),
    exclude: text("exclude").array().notNull().default(sql`'{}'`),
    maxPages: integer("max_pages").notNull(),
    maxDepth: integer("max_depth").notNull(),
    sameHostOnly: boolean("same_host_only").notNull().default(true),
    status: text("status", { enum: ["discovering", "ready", "failed"] })
      .notNull()
      .default("discovering"),
    sync: integer("sync").notNull().default(1),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    errorAt: timestamp("error_at", { withTimezone: true }),
    syncStartedAt: timestamp("sync_started_at", { withTimezone: true }).notNull().defaultNow(),
    syncedAt: timestamp("synced_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("sources_project_created_idx").on(t.projectId, t.createdAt, t.id),
    index("sources_sync_idx").on(t.status, t.syncedAt),
    check("sources_type_check", sql`${t.type} in ('sitemap', 'crawl')`),
    check("sources_status_check", sql`${t.status} in ('discovering', 'ready', 'failed')`),
  ],
);

/** Sitemap documents of a sync: listed once (indexes that loop add nothing), done when read. */
export const sourceDocs = pgTable(
  "source_docs",
  {
    sourceId: uuid("source_id")
      .notNull()
      .references(() => sources.id, { onDelete: "cascade" }),
    sync: integer("sync").notNull(),
    url: text("url").notNull(),
    done: boolean("done").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.sync, t.url] })],
);

/** Discovered urls that were not added, each counted once per sync with its reason. */
export const sourceSkips = pgTable(
  "source_skips",
  {
    sourceId: uuid("source_id")
      .notNull()
      .references(() => sources.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    reason: text("reason").notNull(),
    sync: integer("sync").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.url] })],
);

/** robots.txt per host as read at the start of a sync (null: none, everything allowed). */
export const sourceHosts = pgTable(
  "source_hosts",
  {
    sourceId: uuid("source_id")
      .notNull()
      .references(() => sources.id, { onDelete: "cascade" }),
    host: text("host").notNull(),
    sync: integer("sync").notNull(),
    robots: text("robots"),
    crawlDelay: integer("crawl_delay"),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.host] })],
);
