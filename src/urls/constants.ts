/**
 * Error codes of the urls domain. Frozen: clients and stored `error.code` values rely on them.
 *
 * @example
 * ```ts
 * if (outcome.kind === "failed" && outcome.code === ErrorCode.FETCH_TIMEOUT) retryLater();
 * ```
 */
export const ErrorCode = {
  /** Syntactically not an acceptable URL: scheme, length, credentials, malformed host. */
  URL_INVALID: "URL_INVALID",
  /** Points at loopback, private, link-local, multicast, metadata or other non-public targets. */
  URL_NOT_ALLOWED: "URL_NOT_ALLOWED",
  /** The url resource does not exist in the project (API 404). */
  URL_NOT_FOUND: "URL_NOT_FOUND",
  /** The page answered with a media type other than HTML, plain text or Markdown. */
  UNSUPPORTED_CONTENT_TYPE: "UNSUPPORTED_CONTENT_TYPE",
  /** Headers and body did not arrive within the time budget. */
  FETCH_TIMEOUT: "FETCH_TIMEOUT",
  /** The body grew past the size limit; the download was cut off. */
  FETCH_TOO_LARGE: "FETCH_TOO_LARGE",
  /** The page answered with an HTTP error status (kept in `http_status`). */
  FETCH_HTTP_ERROR: "FETCH_HTTP_ERROR",
  /** Network-level failure: connection refused, TLS, DNS, reset. */
  FETCH_FAILED: "FETCH_FAILED",
  /** More redirects than allowed, including redirect loops. */
  TOO_MANY_REDIRECTS: "TOO_MANY_REDIRECTS",
  /** A redirect pointed at a URL that intake would have rejected. */
  REDIRECT_NOT_ALLOWED: "REDIRECT_NOT_ALLOWED",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Longest URL accepted at intake, before and after normalization. */
export const MAX_URL_LENGTH = 2048;

/** Longest page title kept; longer ones are cut (ingestion/pipeline.ts). */
export const TITLE_MAX = 1000;

/** Longest `error.message` stored for a failed url (ingestion/store.ts cuts it). */
export const URL_ERROR_MESSAGE_MAX = 1000;

/** The User-Agent the fetcher should send unless configured otherwise. */
export const DEFAULT_USER_AGENT = "LinkbaseBot/0.1 (+https://linkbase.local/bot)";

/** Media types the fetcher accepts, mapped from the aliases seen in the wild. */
export const ACCEPTED_CONTENT_TYPES = {
  "text/html": "text/html",
  "application/xhtml+xml": "text/html",
  "text/plain": "text/plain",
  "text/markdown": "text/markdown",
  "text/x-markdown": "text/markdown",
} as const;

export type PageContentType = (typeof ACCEPTED_CONTENT_TYPES)[keyof typeof ACCEPTED_CONTENT_TYPES];

/** Error codes of the urls API and ingestion, beyond the fetcher's. */
export const UrlErrorCode = {
  /** GET …/snapshot before the page was ever stored. */
  SNAPSHOT_NOT_FOUND: "SNAPSHOT_NOT_FOUND",
  /** Storing the raw snapshot failed after every retry. */
  STORAGE_FAILED: "STORAGE_FAILED",
  /** Anything else that kept ingestion from finishing after every retry. */
  INGEST_FAILED: "INGEST_FAILED",
  /**
   * The page yields more chunks than MAX_CHUNKS_PER_URL, or a write of it was refused as too
   * large: trying again would not help, so the url fails after one attempt.
   */
  CONTENT_TOO_LARGE: "CONTENT_TOO_LARGE",
  /** The ingest stalled (its consumer was killed) more often than INGEST_STUCK_MAX_REQUEUES. */
  INGEST_TIMEOUT: "INGEST_TIMEOUT",
  /** The page was fetched but holds no extractable text (even the whole-page fallback is empty). */
  NO_CONTENT: "NO_CONTENT",
  /**
   * A page of a source redirected to a url its host's robots.txt disallows for our user agent
   * (or whose robots.txt could not be read): that url is not requested, and trying again would
   * not help.
   */
  ROBOTS_DISALLOWED: "ROBOTS_DISALLOWED",
} as const;

/** Urls one POST may add. */
export const MAX_URLS_PER_REQUEST = 100;

/** Lifetime of the presigned snapshot URL that GET …/snapshot redirects to. */
export const SNAPSHOT_URL_TTL_SECONDS = 300;

/** Redirect hops the fetcher follows before giving up. */
export const MAX_REDIRECTS = 5;

/** Urls the cron re-enqueues per run; the rest wait for the next run. */
export const REFRESH_BATCH_LIMIT = 1000;

/**
 * Lifecycle of a url: queued → fetching → processing → ready | failed; a source's url that left
 * its sitemap or answers 404/410 on a refresh is `gone` (chunks kept, out of search).
 */
export const URL_STATUSES = [
  "queued",
  "fetching",
  "processing",
  "ready",
  "failed",
  "gone",
] as const;
export type UrlStatus = (typeof URL_STATUSES)[number];
