/**
 * Error codes of the sources domain. Frozen: clients and stored `last_error.code` values rely
 * on them.
 */
export const ErrorCode = {
  /** The source does not exist in the project (API 404). */
  SOURCE_NOT_FOUND: "SOURCE_NOT_FOUND",
  /** robots.txt answered 5xx or could not be fetched after every retry: nothing is crawled. */
  ROBOTS_UNAVAILABLE: "ROBOTS_UNAVAILABLE",
  /** A sitemap could not be fetched (HTTP error, network, redirect refused). */
  SITEMAP_FETCH_FAILED: "SITEMAP_FETCH_FAILED",
  /** A sitemap is larger than SITEMAP_MAX_BYTES (after decompression) or lists too many urls. */
  SITEMAP_TOO_LARGE: "SITEMAP_TOO_LARGE",
  /** A sitemap is neither a `<urlset>` nor a `<sitemapindex>`. */
  SITEMAP_INVALID: "SITEMAP_INVALID",
  /** The sitemap indexes of one sync name more than SITEMAPS_PER_SYNC_MAX sitemaps. */
  SITEMAP_LIMIT: "SITEMAP_LIMIT",
} as const;

export const SOURCE_TYPES = ["sitemap", "crawl"] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** What the API shows; `ingesting` is derived on read from a `discovering` row (service.ts). */
export const SOURCE_STATUSES = ["discovering", "ingesting", "ready", "failed"] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];
/** What the row stores. */
export const STORED_SOURCE_STATUSES = ["discovering", "ready", "failed"] as const;

/**
 * Why a discovered url was not added: refused by robots.txt, by the source's include/exclude
 * patterns, the same page as another url (a redirect to it or byte-identical content), or an
 * address intake refuses (private, metadata, credentials…).
 */
export const SKIP_REASONS = ["robots", "pattern", "duplicate", "not_allowed"] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Patterns per list and characters per pattern. */
export const PATTERNS_MAX = 50;
export const PATTERN_MAX = 200;

/** Link hops a crawl follows from its start url: default and upper bound. */
export const MAX_DEPTH_DEFAULT = 5;
export const MAX_DEPTH_MAX = 20;

/** Bytes of one sitemap after decompression (the protocol allows 50 MB; a Worker has 128 MB). */
export const SITEMAP_MAX_BYTES = 10 * 1024 * 1024;
/** `<url>` entries one sitemap may list (the protocol's own limit). */
export const SITEMAP_MAX_URLS = 50_000;
/** Sitemap documents one sync may read, indexes included. */
export const SITEMAPS_PER_SYNC_MAX = 200;
/** robots.txt beyond this is cut (Google reads 500 KiB). */
export const ROBOTS_MAX_BYTES = 512 * 1024;
/** A Crawl-delay is honoured up to this many seconds. */
export const CRAWL_DELAY_MAX_SECONDS = 30;
/** Links read from one crawled page. */
export const LINKS_PER_PAGE_MAX = 1000;
/** Longest `last_error.message` stored on a source. */
export const SOURCE_ERROR_MESSAGE_MAX = 1000;
/** Sources the cron re-syncs per run. */
export const SYNC_BATCH_LIMIT = 100;

/** The start step's row in `source_docs`: pending until robots.txt is read and seeds listed. */
export const START_DOC = "";
