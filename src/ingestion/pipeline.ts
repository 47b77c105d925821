import * as authUtils from "../auth/utils";
import { type S3Client, S3Error } from "../aws/client";
import { type Chunk, chunkDocument, embeddingInput } from "../chunks/chunker";
import { HEADING_MAX } from "../chunks/constants";
import type { Database } from "../database";
import {
  type ExtractedDocument,
  extractHtml,
  extractPlainText,
  isParserLimit,
} from "../extraction/service";
import { ErrorCode } from "../limits/constants";
import type { FetchSettings } from "../urls/config";
import { TITLE_MAX, UrlErrorCode } from "../urls/constants";
import { type Embedder, toVectorLiteral } from "../vectorization/embedders";
import type { DiscoveryDeps } from "./discovery";
import * as discovery from "./discovery";
import * as discoveryStore from "./discovery-store";
import { type FetchedPage, type FetchOutcome, fetchPage } from "./fetcher";
import type { HostGates } from "./host-slots";
import * as hostSlots from "./host-slots";
import { extractLinks } from "./links";
import * as snapshots from "./snapshots";
import * as store from "./store";

/** What one ingest needs; tests pass their own embedder, fetch or batch size. */
export interface IngestDeps {
  db: Database;
  s3: S3Client;
  embedder: Embedder;
  fetch: FetchSettings & { fetch?: typeof fetch; gates?: HostGates };
  /** Chunks a project may hold (the chunks_per_project quota). */
  chunkQuota: number;
  /** A page yielding more chunks fails with CONTENT_TOO_LARGE (MAX_CHUNKS_PER_URL). */
  maxChunks: number;
  /** Estimated bytes per chunk-write request; defaults to {@link WRITE_BATCH_BYTES}. */
  writeBatchBytes?: number;
  /** What a source's page needs: deduplication and, for a crawl, adding its links. */
  discovery?: DiscoveryDeps;
}

/**
 * Estimated bytes of chunk rows per write request. The estimate counts three bytes per text
 * character (UTF-8's worst case for the BMP) and a full-precision vector, so a real request
 * stays near a third of Neon's 10 MiB limit even when the JSON parameter is escaped twice.
 */
export const WRITE_BATCH_BYTES = 3 * 1024 * 1024;

// `[` + 384 × ("-0.1234567" + ",") + `]`, rounded up.
const VECTOR_TEXT_BYTES = 4_608;

export type IngestResult =
  | { kind: "ready"; chunks: number; embedded: number; reused: number; deliveries: string[] }
  | { kind: "not-modified" }
  | { kind: "gone" }
  | { kind: "deferred"; delaySeconds: number }
  | { kind: "failed"; code: string; message: string; status: number | null; retryable: boolean };

/**
 * Fetches, stores, extracts, chunks, embeds and writes one url. Failures of the page itself come
 * back as `{kind: "failed"}`; trouble with our own dependencies (database, S3, embedder) is
 * thrown for the consumer to retry. Safe to run twice for the same url, even at once: each run
 * stages its own generation and only a complete one is switched to.
 *
 * @example
 * const result = await ingestUrl(deps, urlId);
 * if (result.kind === "failed" && result.retryable) message.retry();
 */
export async function ingestUrl(
  deps: IngestDeps,
  urlId: string,
): Promise<IngestResult & { sourceId: string | null }> {
  const target = await store.startFetch(deps.db, urlId);
  if (!target) return { kind: "gone", sourceId: null };
  const result = await ingestTarget(deps, urlId, target);
  return { ...result, sourceId: target.source?.id ?? null };
}

async function ingestTarget(
  deps: IngestDeps,
  urlId: string,
  target: store.IngestTarget,
): Promise<IngestResult> {
  const crawlDelay = target.source?.crawlDelay ?? null;
  const slot = await hostSlots.acquireHostSlot(deps.db, urlId, target.url, deps.fetch, crawlDelay);
  if (slot.kind === "busy") return { kind: "deferred", delaySeconds: slot.retryInSeconds };
  // Validators only make sense while the chunks of that earlier fetch are still stored.
  const previous = target.snapshotKey ? target : { etag: null, lastModified: null };
  let outcome: FetchOutcome | null = null;
  try {
    outcome = await fetchPage(target.url, {
      ...deps.fetch,
      etag: previous.etag,
      lastModified: previous.lastModified,
      // A source's page was screened by robots.txt when found; so is each of its redirects.
      checkHop:
        target.source && deps.discovery
          ? discovery.robotsHopCheck(deps.discovery, target.source.id)
          : undefined,
    });
  } finally {
    await hostSlots.releaseHostSlot(deps.db, slot, outcome, crawlDelay);
  }
  if (outcome.kind === "failed") return outcome;
  if (outcome.kind === "not-modified") {
    await store.markNotModified(deps.db, urlId);
    return { kind: "not-modified" };
  }
  const { page } = outcome;
  if (target.source && deps.discovery) {
    const claim = await discoveryStore.claimPage(deps.db, {
      urlId,
      projectId: target.projectId,
      finalUrl: page.finalUrl,
      contentHash: page.contentHash,
    });
    if (claim.duplicate) {
      await snapshots.sendDeletions(deps.discovery.queue, claim.deletions);
      return { kind: "gone" };
    }
    const { source } = target;
    if (
      source.type === "crawl" &&
      page.contentType === "text/html" &&
      source.depth < source.maxDepth
    ) {
      const links = await extractLinks(page.body, page.finalUrl);
      await discovery.admitLinks(deps.discovery, source.id, links, source.depth + 1);
    }
  }
  // Extracted before the snapshot is stored: a page without text, or beyond the parser, leaves
  // none behind.
  const doc = await extract(page).catch((error: unknown) => {
    if (isParserLimit(error)) return null;
    throw error;
  });
  if (!doc) {
    const message = "the page's markup is beyond what the HTML parser accepts (nesting or size)";
    return finalFailure(UrlErrorCode.CONTENT_TOO_LARGE, message, page.status);
  }
  // Nothing to index: fail the url for good rather than mark it ready with no chunks.
  if (doc.text === "") {
    return finalFailure(UrlErrorCode.NO_CONTENT, "the page holds no extractable text", page.status);
  }
  const key = snapshots.snapshotKey(target.projectId, urlId, page.contentHash);
  if (key !== target.snapshotKey) {
    await deps.s3
      .put(key, page.raw, `${page.contentType}; charset=${page.encoding}`)
      .catch((error: unknown) => {
        if (error instanceof S3Error) throw error;
        // A connection failure is storage trouble too; the consumer retries it as such.
        throw new S3Error("PutObject", 0, error instanceof Error ? error.message : "network");
      });
  }

  const chunks = chunkDocument(doc, {
    chunkSize: target.chunkSize,
    chunkOverlap: target.chunkOverlap,
  });
  if (chunks.length > deps.maxChunks) {
    const message = `the page yields ${chunks.length} chunks; at most ${deps.maxChunks} are indexed per url`;
    return finalFailure(UrlErrorCode.CONTENT_TOO_LARGE, message, page.status);
  }
  const inputs = chunks.map((chunk) => embeddingInput(doc.title, chunk));
  // The hash covers what is embedded (title and heading path included), so equal hashes under
  // the same model mean an equal vector.
  const hashes = await Promise.all(inputs.map((input) => authUtils.sha256Hex(input)));
  const model = deps.embedder.model;
  const staging = await store.startProcessing(deps.db, urlId, hashes, model);
  if (!staging) return await forget(deps, key, target.snapshotKey);

  // Embedded and written a batch at a time: memory stays at one batch of vectors, and a retry
  // after a failed batch finds the earlier batches' vectors stored (staging.embedded).
  const reused = hashes.filter((hash) => staging.embedded.has(hash)).length;
  let embedded = 0;
  for (const [from, to] of writeBatches(chunks, deps.writeBatchBytes ?? WRITE_BATCH_BYTES)) {
    const fresh = new Map<string, string>();
    for (let i = from; i < to; i++) {
      const hash = hashes[i] ?? "";
      if (!staging.embedded.has(hash)) fresh.set(hash, inputs[i] ?? "");
    }
    const vectors = fresh.size > 0 ? await deps.embedder.embed([...fresh.values()]) : [];
    if (vectors.length !== fresh.size) throw new Error("the embedder returned too few vectors");
    const literals = new Map(
      [...fresh.keys()].map((hash, i) => [hash, toVectorLiteral(vectors[i] ?? [])]),
    );
    const rows: store.ChunkRow[] = [];
    for (let i = from; i < to; i++) {
      const chunk = chunks[i] as Chunk;
      rows.push({
        position: chunk.position,
        text: chunk.text,
        heading_path: chunk.headingPath.map((heading) => heading.slice(0, HEADING_MAX)),
        token_count: chunk.tokenCount,
        content_hash: hashes[i] ?? "",
        // Null: stored under this hash already, copied inside the database.
        embedding: literals.get(hashes[i] ?? "") ?? null,
      });
    }
    if (!(await store.writeChunkBatch(deps.db, urlId, staging.generation, model, rows))) {
      return await forget(deps, key, target.snapshotKey);
    }
    for (const hash of fresh.keys()) staging.embedded.add(hash);
    embedded += fresh.size;
  }
  const staged = {
    generation: staging.generation,
    count: chunks.length,
    startedAt: target.startedAt,
  };
  const { extraction } = doc;
  const { result: switched, deliveries } = await store.switchGeneration(
    deps.db,
    urlId,
    staged,
    {
      // Cut so every stored title fits the bound /openapi.json states.
      title: doc.title?.slice(0, TITLE_MAX) ?? null,
      description: doc.description,
      language: doc.language,
      publishedAt: doc.publishedAt,
      siteName: doc.siteName,
      extraction: {
        method: extraction.method,
        text_chars: extraction.textChars,
        ratio: extraction.ratio,
      },
      httpStatus: page.status,
      contentType: page.contentType,
      contentHash: page.contentHash,
      bytes: page.bytes,
      etag: page.etag,
      lastModified: page.lastModified,
      snapshotKey: key,
    },
    deps.chunkQuota,
  );
  if (switched === "gone") return await forget(deps, key, target.snapshotKey);
  if (switched === "incomplete") throw new IncompleteGeneration();
  // A twin delivery indexed the url after this one began; its snapshot key is the one stored.
  if (switched === "superseded") return { kind: "not-modified" };
  if (switched === "over-quota") {
    await forget(deps, key, target.snapshotKey);
    return {
      kind: "failed",
      code: ErrorCode.QUOTA_EXCEEDED,
      message: `The project would exceed its chunks_per_project quota of ${deps.chunkQuota}.`,
      status: null,
      retryable: false,
    };
  }
  if (target.snapshotKey && target.snapshotKey !== key) {
    await removeObject(deps, target.snapshotKey);
  }
  return { kind: "ready", chunks: chunks.length, embedded, reused, deliveries };
}

/** A failure of the page itself that trying again cannot change: the url fails after one attempt. */
function finalFailure(code: string, message: string, status: number): IngestResult {
  return { kind: "failed", code, message, status, retryable: false };
}

/** A concurrent delivery of the same url removed part of this one's staged chunks. */
export class IncompleteGeneration extends Error {
  override name = "IncompleteGeneration";
  constructor() {
    super("the staged chunks were incomplete at the switch");
  }
}

/**
 * Splits chunk indexes into `[from, to)` ranges whose estimated request size stays within
 * `budget` bytes (at least one chunk each).
 *
 * @example
 * [...writeBatches(chunks, 3 * 1024 * 1024)]; // [[0, 390], [390, 771], …]
 */
export function* writeBatches(chunks: Chunk[], budget: number): Generator<[number, number]> {
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i] as Chunk;
    let size = VECTOR_TEXT_BYTES + 200 + 3 * chunk.text.length;
    for (const heading of chunk.headingPath) size += 3 * heading.length + 3;
    if (i > from && bytes + size > budget) {
      yield [from, i];
      from = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (from < chunks.length) yield [from, chunks.length];
}

async function extract(page: FetchedPage): Promise<ExtractedDocument> {
  return page.contentType === "text/html"
    ? await extractHtml(page.body)
    : extractPlainText(page.body, page.contentType);
}

/**
 * The snapshot we just stored will not be the url's: it was deleted while we worked (its
 * delete-prefix message may already have run) or its chunks were over quota. Remove it.
 */
async function forget(deps: IngestDeps, key: string, previousKey: string | null) {
  if (key !== previousKey) await removeObject(deps, key);
  return { kind: "gone" } as const;
}

/** Deletes one object; on S3 trouble the outbox keeps it for the cron (a key is its own prefix). */
async function removeObject(deps: IngestDeps, key: string): Promise<void> {
  try {
    await deps.s3.delete(key);
  } catch {
    await snapshots.scheduleDeletionLater(deps.db, key);
  }
}
