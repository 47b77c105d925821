import * as z from "zod";
import { int32, Timestamp, Uuid } from "../schemas";
import { MAX_URL_LENGTH } from "../urls/constants";
import { UrlText } from "../urls/schemas";
import {
  MAX_DEPTH_DEFAULT,
  MAX_DEPTH_MAX,
  PATTERN_MAX,
  PATTERNS_MAX,
  SOURCE_ERROR_MESSAGE_MAX,
  SOURCE_STATUSES,
  SOURCE_TYPES,
} from "./constants";

/** The largest `max_pages` any deployment accepts; SOURCE_MAX_PAGES may set a lower cap. */
export const MAX_PAGES_LIMIT = 100_000;

const Pattern = z
  .string()
  .min(1)
  .max(PATTERN_MAX)
  .regex(/^[\x21-\x7e]+$/, "a path glob of printable ASCII without spaces")
  .openapi({ example: "/docs/**" });

const Patterns = z.array(Pattern).max(PATTERNS_MAX);

export const SourceCreate = z
  .strictObject({
    type: z.enum(SOURCE_TYPES).openapi({
      description:
        "`sitemap`: the urls a sitemap lists (a site root reads robots.txt's `Sitemap:` lines, else `/sitemap.xml`); `crawl`: the pages reached by links from `url`",
    }),
    url: UrlText.openapi({ example: "https://docs.example.com/" }),
    include: Patterns.optional().openapi({
      description: "Path globs; when given, only urls matching one are added",
      example: ["/docs/**"],
    }),
    exclude: Patterns.optional().openapi({
      description: "Path globs; urls matching one are skipped",
      example: ["/docs/archive/**", "*.pdf"],
    }),
    max_pages: int32(1, MAX_PAGES_LIMIT).optional().openapi({
      description:
        "Urls the source may add (default and upper bound: the SOURCE_MAX_PAGES setting)",
    }),
    max_depth: int32(0, MAX_DEPTH_MAX)
      .optional()
      .openapi({
        description: `Link hops a crawl follows from \`url\` (default ${MAX_DEPTH_DEFAULT}); ignored by sitemaps`,
      }),
    same_host_only: z.boolean().optional().openapi({
      description: "Only urls on the host of `url` (default true)",
    }),
  })
  .openapi("SourceCreate", {
    example: { type: "sitemap", url: "https://docs.example.com/", exclude: ["/blog/**"] },
  });

export const SourceCounts = z
  .object({
    discovered: int32().openapi({
      description: "Distinct urls this sync found: added plus skipped",
    }),
    queued: int32().openapi({ description: "Urls waiting for or in ingestion" }),
    ready: int32(),
    failed: int32(),
    gone: int32().openapi({ description: "Urls that left the sitemap or answer 404/410" }),
    skipped_robots: int32().openapi({ description: "Disallowed by robots.txt: never fetched" }),
    skipped_pattern: int32().openapi({ description: "Outside include/exclude: never fetched" }),
    skipped_duplicate: int32().openapi({
      description: "Redirects to, or byte-identical copies of, another url of the project",
    }),
    skipped_not_allowed: int32().openapi({
      description: "Addresses intake refuses (private, metadata, credentials)",
    }),
  })
  .openapi("SourceCounts");

export const Source = z
  .object({
    id: Uuid,
    type: z.enum(SOURCE_TYPES),
    url: z.url().max(MAX_URL_LENGTH),
    include: Patterns,
    exclude: Patterns,
    max_pages: int32(1, MAX_PAGES_LIMIT),
    max_depth: int32(0, MAX_DEPTH_MAX),
    same_host_only: z.boolean(),
    status: z.enum(SOURCE_STATUSES).openapi({
      description:
        "`discovering` (reading robots.txt and sitemaps, or crawling), `ingesting` (every url found, some still being indexed), `ready`, `failed` (the sync could not run; see `last_error`)",
    }),
    sync: int32(1).openapi({ description: "Number of the current or last sync" }),
    counts: SourceCounts,
    last_error: z
      .object({
        code: z
          .string()
          .max(64)
          .regex(/^[A-Z][A-Z0-9_]*$/),
        message: z.string().max(SOURCE_ERROR_MESSAGE_MAX),
        at: Timestamp,
      })
      .nullable()
      .openapi({ description: "What went wrong in the current or last sync, if anything" }),
    sync_started_at: Timestamp,
    synced_at: Timestamp.nullable().openapi({ description: "When the last sync finished" }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Source");

export const SourceIdParams = z.object({ project_id: Uuid, source_id: Uuid });

export const SourceDeleteQuery = z.object({
  delete_urls: z
    .enum(["true", "false"])
    .default("false")
    .openapi({ description: "Also delete the urls the source added (default: keep them)" }),
});

export type SourceCreate = z.infer<typeof SourceCreate>;
export type Source = z.infer<typeof Source>;
