import { normalizeUrl } from "../urls/address";
import { ACCEPTED_CONTENT_TYPES, ErrorCode, type PageContentType } from "../urls/constants";

/**
 * The page fetcher behind the ingest queue consumer.
 *
 * Redirects are followed by hand (`redirect: "manual"`) so every hop passes the same intake
 * screen as a submitted URL. One `AbortSignal.timeout` covers all hops, headers and body; the
 * body is streamed and dropped as soon as it passes `maxBytes`. DNS rebinding is out of reach
 * here (see `address.ts`): Workers cannot resolve a name before `fetch` connects.
 */

export interface FetchedPage {
  finalUrl: string;
  status: number;
  contentType: PageContentType;
  /** Decoded text of the body. */
  body: string;
  /** The WHATWG name of the encoding the body was decoded with, e.g. `windows-1252`. */
  encoding: string;
  bytes: number;
  etag: string | null;
  lastModified: string | null;
  /** SHA-256 (hex) of the raw bytes. */
  contentHash: string;
  raw: Uint8Array;
}

export type FetchOutcome =
  | { kind: "fetched"; page: FetchedPage }
  | { kind: "not-modified"; status: 304 }
  | {
      kind: "failed";
      code: string;
      message: string;
      status: number | null;
      retryable: boolean;
      /** From the `Retry-After` of a 429 or 503. */
      retryAfterSeconds?: number;
    };

export type FetchFailure = Extract<FetchOutcome, { kind: "failed" }>;

export interface FetchPageOptions {
  /** Injected in tests; defaults to the runtime's `fetch`. */
  fetch?: typeof fetch;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  allowHosts: ReadonlySet<string>;
  /** Validators from the previous fetch, sent as If-None-Match / If-Modified-Since. */
  etag?: string | null;
  lastModified?: string | null;
  /**
   * Asked before each redirect hop is requested, after the address screen: a failure it returns
   * ends the fetch (a source's robots.txt). What it throws is our own trouble, thrown on as is.
   */
  checkHop?: (url: string) => Promise<FetchFailure | null>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/markdown;q=0.9, text/plain;q=0.8";
/** The HTML spec's encoding prescan looks at the first 1024 bytes only. */
const META_PRESCAN_BYTES = 1024;

/**
 * Fetches one page for ingestion. Never throws for anything the remote side does; failures come
 * back as `{ kind: "failed", code, retryable }`. Throws `RangeError` on invalid options.
 *
 * @example
 * ```ts
 * const outcome = await fetchPage("https://example.com/", {
 *   timeoutMs: 15_000, maxBytes: 5 << 20, maxRedirects: 5,
 *   userAgent: DEFAULT_USER_AGENT, allowHosts: parseAllowHosts(env.FETCH_ALLOW_HOSTS),
 * });
 * if (outcome.kind === "fetched") store(outcome.page.raw);
 * ```
 */
export async function fetchPage(url: string, options: FetchPageOptions): Promise<FetchOutcome> {
  return await runFetch(url, options, readPage);
}

/** A document read as bytes (robots.txt, a sitemap), whatever its media type. */
export type DocumentOutcome =
  | { kind: "fetched"; finalUrl: string; status: number; raw: Uint8Array }
  | FetchFailure;

/**
 * Fetches a document that is not a page (robots.txt, a sitemap) with the same address checks on
 * every hop, deadline and size cut-off as {@link fetchPage}, and returns its raw bytes.
 *
 * @example
 * const robots = await fetchDocument("https://example.com/robots.txt", { ...settings, accept: "text/plain" });
 */
export async function fetchDocument(
  url: string,
  options: FetchPageOptions & { accept: string },
): Promise<DocumentOutcome> {
  return await runFetch(url, options, async (response, finalUrl, _options, run) => {
    const failure = httpFailure(response);
    if (failure) return failure;
    const raw = await readCapped(response.body, options.maxBytes, run.deadline);
    if (raw === null) {
      const message = `body larger than ${options.maxBytes} bytes`;
      return failed(ErrorCode.FETCH_TOO_LARGE, message, response.status, false);
    }
    return { kind: "fetched", finalUrl, status: response.status, raw };
  });
}

type Reader<T> = (
  response: Response,
  finalUrl: string,
  options: FetchPageOptions,
  run: Run,
) => Promise<T | FetchFailure>;

async function runFetch<T>(
  url: string,
  options: FetchPageOptions & { accept?: string },
  read: Reader<T>,
): Promise<T | FetchFailure> {
  const { timeoutMs, maxBytes, maxRedirects } = options;
  if (!(timeoutMs > 0) || !(maxBytes > 0) || !(maxRedirects >= 0)) {
    throw new RangeError("fetchPage: timeoutMs and maxBytes must be > 0, maxRedirects >= 0");
  }
  const first = normalizeUrl(url, { allowHosts: options.allowHosts });
  if (!first.ok) return failed(first.code, first.message, null, false);

  const signal = AbortSignal.timeout(timeoutMs);
  // Racing every await against the signal keeps the deadline even when a body stream or an
  // injected fetch does not react to abort on its own.
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {});
  const run: Run = { signal, deadline: (p) => Promise.race([p, aborted]), status: null };
  try {
    return await follow(first.url, options, run, read);
  } catch (error) {
    if (error instanceof HopCheckError) throw error.cause;
    if (signal.aborted) {
      const message = `no complete answer within ${timeoutMs} ms`;
      return failed(ErrorCode.FETCH_TIMEOUT, message, run.status, true);
    }
    const reason = error instanceof Error ? error.message : String(error);
    return failed(ErrorCode.FETCH_FAILED, `network error: ${reason}`, run.status, true);
  }
}

/** Wraps what `checkHop` threw, so it is not taken for a network error of the page. */
class HopCheckError extends Error {
  override name = "HopCheckError";
}

/** State shared by the hops of one fetch: the deadline and the last status seen. */
interface Run {
  signal: AbortSignal;
  deadline: <T>(promise: Promise<T>) => Promise<T>;
  status: number | null;
}

async function follow<T>(
  start: string,
  options: FetchPageOptions & { accept?: string },
  run: Run,
  read: Reader<T>,
): Promise<T | FetchFailure> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = {
    "User-Agent": options.userAgent,
    Accept: options.accept ?? ACCEPT,
  };
  if (options.etag) headers["If-None-Match"] = options.etag;
  if (options.lastModified) headers["If-Modified-Since"] = options.lastModified;
  let current = start;
  for (let hop = 0; ; hop++) {
    const init: RequestInit = { method: "GET", headers, redirect: "manual", signal: run.signal };
    const response = await run.deadline(doFetch(current, init));
    run.status = response.status;
    if (!REDIRECT_STATUSES.has(response.status)) {
      return await read(response, current, options, run);
    }

    discard(response);
    const { status } = response;
    const location = response.headers.get("location");
    if (!location) {
      return failed(ErrorCode.FETCH_HTTP_ERROR, `${status} without Location`, status, false);
    }
    if (hop >= options.maxRedirects) {
      const message = `more than ${options.maxRedirects} redirects`;
      return failed(ErrorCode.TOO_MANY_REDIRECTS, message, status, false);
    }
    const target = resolve(location, current);
    const check = normalizeUrl(target, { allowHosts: options.allowHosts });
    if (!check.ok) {
      const message = `redirect to ${target.slice(0, 300)} refused (${check.code}): ${check.message}`;
      return failed(ErrorCode.REDIRECT_NOT_ALLOWED, message, status, false);
    }
    const refused = await options.checkHop?.(check.url).catch((error: unknown) => {
      throw new HopCheckError("checkHop failed", { cause: error });
    });
    if (refused) return { ...refused, status };
    current = check.url;
  }
}

/** Resolves a Location header against the URL that sent it; an unparseable one stays as is. */
function resolve(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

async function readPage(
  response: Response,
  finalUrl: string,
  options: FetchPageOptions,
  run: Run,
): Promise<FetchOutcome> {
  const { status } = response;
  if (status === 304) {
    discard(response);
    if (options.etag || options.lastModified) return { kind: "not-modified", status: 304 };
    return failed(ErrorCode.FETCH_HTTP_ERROR, "304 to an unconditional request", status, false);
  }
  const failure = httpFailure(response);
  if (failure) return failure;
  const header = response.headers.get("content-type") ?? "";
  const essence = header.split(";")[0]?.trim().toLowerCase() ?? "";
  const contentType = ACCEPTED_CONTENT_TYPES[essence as keyof typeof ACCEPTED_CONTENT_TYPES];
  if (contentType === undefined) {
    discard(response);
    const message = `content type "${essence || "none"}" is not HTML, plain text or Markdown`;
    return failed(ErrorCode.UNSUPPORTED_CONTENT_TYPE, message, status, false);
  }
  const tooLarge = () =>
    failed(ErrorCode.FETCH_TOO_LARGE, `body larger than ${options.maxBytes} bytes`, status, false);
  if (Number(response.headers.get("content-length") ?? 0) > options.maxBytes) {
    discard(response);
    return tooLarge();
  }
  const raw = await readCapped(response.body, options.maxBytes, run.deadline);
  if (raw === null) return tooLarge();

  const encoding = detectEncoding(raw, charsetParam(header), contentType);
  const digest = await crypto.subtle.digest("SHA-256", raw);
  return {
    kind: "fetched",
    page: {
      finalUrl,
      status,
      contentType,
      body: new TextDecoder(encoding).decode(raw),
      encoding,
      bytes: raw.byteLength,
      etag: response.headers.get("etag"),
      lastModified: response.headers.get("last-modified"),
      contentHash: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""),
      raw,
    },
  };
}

/** The failure a non-2xx answer is (its body released), or null for a success. */
function httpFailure(response: Response): FetchFailure | null {
  const { status } = response;
  if (status >= 200 && status <= 299) return null;
  discard(response);
  const retryable = status >= 500 || status === 429 || status === 408;
  const message = `the page answered HTTP ${status}`;
  const retryAfter = status === 429 || status === 503 ? parseRetryAfter(response) : null;
  return failed(ErrorCode.FETCH_HTTP_ERROR, message, status, retryable, retryAfter);
}

/** Reads the whole body, or returns null (and cancels the stream) once it passes `maxBytes`. */
async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  deadline: Run["deadline"],
): Promise<Uint8Array | null> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await deadline(reader.read());
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        reader.cancel("size limit").catch(() => {});
        return null;
      }
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
  const raw = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    raw.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return raw;
}

/**
 * Picks the body's encoding in the HTML standard's order: byte-order mark, then the
 * Content-Type charset, then (HTML only) a `<meta>` declaration, then UTF-8.
 */
function detectEncoding(raw: Uint8Array, declared: string | null, type: PageContentType): string {
  const [a, b, c] = raw;
  if (a === 0xef && b === 0xbb && c === 0xbf) return "utf-8";
  if (a === 0xfe && b === 0xff) return "utf-16be";
  if (a === 0xff && b === 0xfe) return "utf-16le";
  const fromHeader = encodingFor(declared);
  if (fromHeader) return fromHeader;
  if (type === "text/html") {
    const fromMeta = encodingFor(metaCharset(raw));
    // A meta tag can only be read if the page is ASCII-compatible, so it cannot mean UTF-16.
    if (fromMeta) return fromMeta.startsWith("utf-16") ? "utf-8" : fromMeta;
  }
  return "utf-8";
}

/** Maps a charset label to its WHATWG encoding name (`latin1` → `windows-1252`), null if unknown. */
function encodingFor(label: string | null): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

function charsetParam(contentType: string): string | null {
  return /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? null;
}

/** A simplified form of the HTML prescan: `<meta charset=…>` or `<meta http-equiv … charset=…>`. */
function metaCharset(raw: Uint8Array): string | null {
  const head = new TextDecoder("windows-1252").decode(raw.subarray(0, META_PRESCAN_BYTES));
  return /<meta\s[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1] ?? null;
}

/**
 * `Retry-After` in seconds (RFC 9110: delay-seconds or an HTTP-date), null when absent or
 * unreadable; a date in the past is 0.
 */
function parseRetryAfter(response: Response): number | null {
  const value = response.headers.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (!Number.isFinite(at)) return null;
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Releases a body we do not read, without waiting on a server that may never finish it. */
function discard(response: Response): void {
  response.body?.cancel().catch(() => {});
}

function failed(
  code: string,
  message: string,
  status: number | null,
  retryable: boolean,
  retryAfterSeconds: number | null = null,
): FetchFailure {
  const outcome = { kind: "failed", code, message, status, retryable } as const;
  return retryAfterSeconds === null ? outcome : { ...outcome, retryAfterSeconds };
}
