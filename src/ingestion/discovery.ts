import robotsParser from "robots-parser";
import { type Database, type SQL, sql } from "../database";
import { ErrorCode as LimitsErrorCode } from "../limits/constants";
import {
  CRAWL_DELAY_MAX_SECONDS,
  ErrorCode,
  ROBOTS_MAX_BYTES,
  SITEMAP_MAX_BYTES,
  SITEMAPS_PER_SYNC_MAX,
  type SkipReason,
} from "../sources/constants";
import { inPatterns } from "../sources/patterns";
import type { StartedSyncs } from "../sources/service";
import { normalizeUrl } from "../urls/address";
import type { FetchSettings } from "../urls/config";
import { MAX_URL_LENGTH, UrlErrorCode } from "../urls/constants";
import * as store from "./discovery-store";
import { type FetchFailure, fetchDocument } from "./fetcher";
import * as hostSlots from "./host-slots";
import { enqueueIngest, sendMessages } from "./messages";
import { parseSitemap, SitemapTooLarge, sitemapText } from "./sitemap";

/**
 * Discovery of a source's pages, one small queue step at a time (`discover` messages): the
 * start step reads robots.txt and lists the seeds (the sitemaps, or a crawl's start url); each
 * sitemap document is a step of its own; a crawl grows as its pages are indexed (`admitLinks`,
 * called by the pipeline with a fetched page's links). Every discovered url passes the same
 * address screen as an added url, the source's patterns and robots.txt before it is stored;
 * robots.txt is read once per host per sync and kept in `source_hosts`.
 */

export interface DiscoveryDeps {
  db: Database;
  queue: Queue<unknown>;
  fetch: FetchSettings & { fetch?: typeof fetch; gates?: hostSlots.HostGates };
  /** The urls_per_project quota. */
  urlQuota: number;
}

export type DiscoverResult = { kind: "done" } | { kind: "deferred"; delaySeconds: number };

/** A step failed in a way a later attempt may not (robots.txt or a sitemap answered 5xx). */
export class DiscoveryRetry extends Error {
  override name = "DiscoveryRetry";
}

const SITEMAP_ACCEPT = "application/xml, text/xml;q=0.9, application/gzip;q=0.8, */*;q=0.1";

/**
 * Runs one `discover` step: the start of a sync (`doc` empty) or one sitemap document. `final`:
 * this is the message's last attempt, so a failure that could pass is recorded instead of
 * retried. Throws DiscoveryRetry (or a dependency's error) for the consumer to retry.
 *
 * @example
 * await discover(deps, { sourceId, sync: 1, doc: "" }, false);
 */
export async function discover(
  deps: DiscoveryDeps,
  step: { sourceId: string; sync: number; doc: string },
  final: boolean,
): Promise<DiscoverResult> {
  const source = await store.loadSource(deps.db, step.sourceId, step.sync);
  if (!source) return { kind: "done" };
  const result =
    step.doc === store.START_DOC
      ? await start(deps, source, final)
      : await readSitemap(deps, source, step.doc, final);
  if (result.kind === "done")
    await store.finishSync(deps.db, deps.queue, sql`select ${step.sourceId}::uuid`);
  return result;
}

async function start(
  deps: DiscoveryDeps,
  source: store.SourceState,
  final: boolean,
): Promise<DiscoverResult> {
  const site = new URL(source.url);
  const robots = await robotsOf(deps, source, site.host, final);
  if (robots === "unavailable") {
    const message = `robots.txt of ${site.host} could not be read (server error or unreachable)`;
    await store.recordError(deps.db, source, ErrorCode.ROBOTS_UNAVAILABLE, message, {
      endsSync: true,
    });
    return { kind: "done" };
  }
  if (source.type === "crawl") {
    await admitAndSend(deps, source, store.START_DOC, [{ loc: source.url, lastmod: null }], 0);
    return { kind: "done" };
  }
  const root = site.pathname === "/" && site.search === "";
  const listed = root ? (robots?.getSitemaps() ?? []) : [];
  const docs = root ? (listed.length > 0 ? listed : [`${site.origin}/sitemap.xml`]) : [source.url];
  await listDocs(deps, source, store.START_DOC, docs);
  return { kind: "done" };
}

async function readSitemap(
  deps: DiscoveryDeps,
  source: store.SourceState,
  doc: string,
  final: boolean,
): Promise<DiscoverResult> {
  const gap = source.hosts[new URL(doc).host]?.crawlDelay ?? null;
  const slot = await hostSlots.acquireHostSlot(deps.db, null, doc, deps.fetch, gap);
  if (slot.kind === "busy") return { kind: "deferred", delaySeconds: slot.retryInSeconds };
  let outcome: Awaited<ReturnType<typeof fetchDocument>> | null = null;
  try {
    outcome = await fetchDocument(doc, {
      ...deps.fetch,
      accept: SITEMAP_ACCEPT,
      maxBytes: SITEMAP_MAX_BYTES,
    });
  } finally {
    await hostSlots.releaseHostSlot(deps.db, slot, outcome, gap);
  }
  const fail = async (code: string, message: string) => {
    await store.recordError(deps.db, source, code, `${doc.slice(0, 300)}: ${message}`);
    await store.admit(deps.db, source, { doc, candidates: [], skips: [], quota: deps.urlQuota });
    return { kind: "done" } as const;
  };
  if (outcome.kind === "failed") {
    if (outcome.retryable && !final) throw new DiscoveryRetry(outcome.message);
    return fail(ErrorCode.SITEMAP_FETCH_FAILED, outcome.message);
  }
  const text = await sitemapText(outcome.raw, SITEMAP_MAX_BYTES);
  const tooLarge = `larger than ${SITEMAP_MAX_BYTES} bytes or more than 50,000 entries`;
  if (text === null) return fail(ErrorCode.SITEMAP_TOO_LARGE, tooLarge);
  let sitemap: ReturnType<typeof parseSitemap>;
  try {
    sitemap = parseSitemap(text);
  } catch (error) {
    if (error instanceof SitemapTooLarge) return fail(ErrorCode.SITEMAP_TOO_LARGE, tooLarge);
    throw error;
  }
  if (!sitemap) return fail(ErrorCode.SITEMAP_INVALID, "neither a <urlset> nor a <sitemapindex>");
  if (sitemap.kind === "index") {
    await listDocs(
      deps,
      source,
      doc,
      sitemap.entries.map((entry) => entry.loc),
    );
  } else {
    await admitAndSend(deps, source, doc, sitemap.entries, 0);
  }
  return { kind: "done" };
}

/** Marks `doc` read and queues the sitemaps it names (screened as any url), within the limit. */
async function listDocs(
  deps: DiscoveryDeps,
  source: store.SourceState,
  doc: string,
  locs: string[],
) {
  const docs: string[] = [];
  for (const loc of locs) {
    const check = normalizeUrl(loc, { allowHosts: deps.fetch.allowHosts });
    if (check.ok) docs.push(check.url);
  }
  const admission = await store.admit(deps.db, source, {
    doc,
    candidates: [],
    skips: [],
    docs,
    quota: deps.urlQuota,
  });
  if (admission.overDocs > 0) {
    const message = `${admission.overDocs} sitemaps were not read: a sync reads at most ${SITEMAPS_PER_SYNC_MAX}`;
    await store.recordError(deps.db, source, ErrorCode.SITEMAP_LIMIT, message);
  }
  await sendMessages(
    deps.queue,
    admission.docs.map((url) => ({
      kind: "discover",
      sourceId: source.id,
      sync: source.sync,
      doc: url,
    })),
  );
}

/**
 * Adds the links of a crawled page at `depth` (its own depth + 1) to the crawl `sourceId`, as
 * any discovered url: screened, counted, deduplicated, queued.
 *
 * @example
 * await admitLinks(deps, source.id, await extractLinks(page.body, page.finalUrl), 2);
 */
export async function admitLinks(
  deps: DiscoveryDeps,
  sourceId: string,
  links: string[],
  depth: number,
): Promise<void> {
  const source = await store.loadSource(deps.db, sourceId, null);
  if (!source) return;
  await admitAndSend(
    deps,
    source,
    null,
    links.map((loc) => ({ loc, lastmod: null })),
    depth,
  );
}

async function admitAndSend(
  deps: DiscoveryDeps,
  source: store.SourceState,
  doc: string | null,
  entries: { loc: string; lastmod: string | null }[],
  depth: number,
) {
  const { candidates, skips } = await screen(deps, source, entries, depth);
  const admission = await store.admit(deps.db, source, {
    doc,
    candidates,
    skips,
    quota: deps.urlQuota,
  });
  if (admission.overQuota > 0) {
    const message = `${admission.overQuota} discovered urls were not added: the project reached its urls_per_project quota of ${deps.urlQuota}`;
    await store.recordError(deps.db, source, LimitsErrorCode.QUOTA_EXCEEDED, message);
  }
  await enqueueIngest(deps.queue, admission.queued);
}

/**
 * Sorts discovered urls into candidates and skips: the intake address screen (`not_allowed`),
 * the source's host (other hosts are out of scope when `same_host_only`, and not counted), its
 * patterns (`pattern`) and robots.txt (`robots`). Duplicates within the list collapse.
 */
async function screen(
  deps: DiscoveryDeps,
  source: store.SourceState,
  entries: { loc: string; lastmod: string | null }[],
  depth: number,
): Promise<{ candidates: store.Candidate[]; skips: { url: string; reason: SkipReason }[] }> {
  const sourceHost = new URL(source.url).host;
  const seen = new Set<string>();
  const candidates: store.Candidate[] = [];
  const skips: { url: string; reason: SkipReason }[] = [];
  const robotsByHost = new Map<string, Robots | null>();
  for (const entry of entries) {
    const check = normalizeUrl(entry.loc, { allowHosts: deps.fetch.allowHosts });
    const url = check.ok ? check.url : entry.loc.slice(0, MAX_URL_LENGTH);
    if (seen.has(url)) continue;
    seen.add(url);
    if (!check.ok) {
      skips.push({ url, reason: "not_allowed" });
      continue;
    }
    const host = new URL(url).host;
    if (source.sameHostOnly && host !== sourceHost) continue;
    if (!inPatterns(url, source.include, source.exclude)) {
      skips.push({ url, reason: "pattern" });
      continue;
    }
    let robots = robotsByHost.get(host);
    if (robots === undefined) {
      robots = await robotsToObey(deps, source, host);
      robotsByHost.set(host, robots);
    }
    if (robots && robots.isAllowed(url, deps.fetch.userAgent) === false) {
      skips.push({ url, reason: "robots" });
      continue;
    }
    candidates.push({ url, lastmod: entry.lastmod, depth });
  }
  return { candidates, skips };
}

type Robots = ReturnType<typeof robotsParser>;

/**
 * The fetcher's `checkHop` for a page of source `sourceId`: a redirect hop is requested only when
 * its host's robots.txt allows it, as a discovered url is. The sync's robots cache
 * (`source_hosts`) answers; a host not read yet in this sync is read and cached now, and one
 * whose robots.txt cannot be read disallows everything. Costs one round trip (the source and its
 * cache) on the first hop of a fetch, plus the read and save of a robots.txt not cached yet.
 *
 * @example
 * await fetchPage(url, { ...settings, checkHop: robotsHopCheck(deps, target.source.id) });
 */
export function robotsHopCheck(
  deps: DiscoveryDeps,
  sourceId: string,
): (url: string) => Promise<FetchFailure | null> {
  let loaded: Promise<store.SourceState | null> | undefined;
  return async (url) => {
    loaded ??= store.loadSource(deps.db, sourceId, null, { running: false });
    const source = await loaded;
    // Deleted meanwhile: the url is no longer a source's, and is fetched as an added one.
    if (!source) return null;
    const host = new URL(url).host;
    const robots = await robotsToObey(deps, source, host);
    if (robots?.isAllowed(url, deps.fetch.userAgent) !== false) return null;
    return {
      kind: "failed",
      code: UrlErrorCode.ROBOTS_DISALLOWED,
      message: `redirect to ${url.slice(0, 300)} not followed: robots.txt of ${host} disallows it`,
      status: null,
      retryable: false,
    };
  };
}

/** What stands for a host whose robots.txt stayed unreachable: nothing of it is fetched. */
const DISALLOW_ALL_TEXT = "User-agent: *\nDisallow: /\n";
const DISALLOW_ALL = robotsParser("http://unreachable.invalid/robots.txt", DISALLOW_ALL_TEXT);

/** The robots.txt a url of `host` found by the sync must obey: an unreadable one disallows all. */
async function robotsToObey(
  deps: DiscoveryDeps,
  source: store.SourceState,
  host: string,
): Promise<Robots | null> {
  const read = await robotsOf(deps, source, host, true);
  return read === "unavailable" ? DISALLOW_ALL : read;
}

/**
 * The parsed robots.txt of `host` for this sync: read from `source_hosts`, or fetched and stored
 * there. Null when the host has none (4xx: everything allowed, RFC 9309); `unavailable` when it
 * answered 5xx or not at all on the last attempt (`final`), else DiscoveryRetry is thrown.
 */
async function robotsOf(
  deps: DiscoveryDeps,
  source: store.SourceState,
  host: string,
  final: boolean,
): Promise<Robots | null | "unavailable"> {
  const origin = `${new URL(source.url).protocol}//${host}`;
  const robotsUrl = `${origin}/robots.txt`;
  const cached = source.hosts[host];
  if (cached) return cached.robots === null ? null : robotsParser(robotsUrl, cached.robots);
  const outcome = await fetchDocument(robotsUrl, {
    ...deps.fetch,
    accept: "text/plain",
    maxBytes: ROBOTS_MAX_BYTES,
  });
  let text: string | null = null;
  if (outcome.kind === "fetched") {
    text = new TextDecoder().decode(outcome.raw);
  } else if (outcome.retryable) {
    if (!final) throw new DiscoveryRetry(`robots.txt: ${outcome.message}`);
    if (host !== new URL(source.url).host) {
      await store.saveRobots(deps.db, source, host, DISALLOW_ALL_TEXT, null);
    }
    return "unavailable";
  }
  const robots = text === null ? null : robotsParser(robotsUrl, text);
  const delay = robots?.getCrawlDelay(deps.fetch.userAgent);
  const crawlDelay =
    delay && delay > 0 ? Math.min(Math.ceil(delay), CRAWL_DELAY_MAX_SECONDS) : null;
  await store.saveRobots(deps.db, source, host, text, crawlDelay);
  source.hosts[host] = { robots: text, crawlDelay };
  return robots;
}

/**
 * Starts a new sync of the sources `ids` selects (those not already discovering) and sends
 * their first steps.
 *
 * @example
 * await startSyncs(db, queue, store.dueSources()); // the cron's re-syncs
 */
export async function startSyncs(db: Database, queue: Queue<unknown>, ids: SQL): Promise<void> {
  await sendSyncs(queue, await store.startSyncs(db, ids));
}

/** Sends the start step of each sync begun, and the urls it queued again. */
export async function sendSyncs(queue: Queue<unknown>, syncs: StartedSyncs): Promise<void> {
  await sendMessages(
    queue,
    syncs.started.map(({ id, sync }) => ({
      kind: "discover",
      sourceId: id,
      sync,
      doc: store.START_DOC,
    })),
  );
  await enqueueIngest(queue, syncs.url_ids);
}
