import * as authUtils from "../auth/utils";
import { type S3Client, S3Error } from "../aws/client";
import { chunkDocument, embeddingInput } from "../chunks/chunker";
import { HEADING_MAX } from "../chunks/constants";
import type { Database } from "../database";
import { type ExtractedDocument, extractHtml, extractPlainText } from "../extraction/service";
import type { FetchSettings } from "../urls/config";
import { TITLE_MAX, UrlErrorCode } from "../urls/constants";
import { type Embedder, toVectorLiteral } from "../vectorization/embedders";
import { type FetchedPage, type FetchOutcome, fetchPage } from "./fetcher";
import * as hostSlots from "./host-slots";
import * as snapshots from "./snapshots";
import * as store from "./store";

/** What one ingest needs; tests pass their own embedder or fetch. */
export interface IngestDeps {
  db: Database;
  s3: S3Client;
  embedder: Embedder;
  queue: Queue<unknown>;
  fetch: FetchSettings & { fetch?: typeof fetch };
}

export type IngestResult =
  | { kind: "ready"; chunks: number; embedded: number; reused: number }
  | { kind: "not-modified" }
  | { kind: "gone" }
  | { kind: "deferred"; delaySeconds: number }
  | { kind: "failed"; code: string; message: string; status: number | null; retryable: boolean };

/**
 * Fetches, stores, extracts, chunks, embeds and writes one url. Failures of the page itself come
 * back as `{kind: "failed"}`; trouble with our own dependencies (database, S3, embedder) is
 * thrown for the consumer to retry. Safe to run twice for the same url: the write replaces.
 *
 * @example
 * const result = await ingestUrl(deps, urlId);
 * if (result.kind === "failed" && result.retryable) message.retry();
 */
export async function ingestUrl(deps: IngestDeps, urlId: string): Promise<IngestResult> {
  const target = await store.startFetch(deps.db, urlId);
  if (!target) return { kind: "gone" };
  const slot = await hostSlots.acquireHostSlot(deps.db, urlId, target.url, deps.fetch);
  if (slot.kind === "busy") return { kind: "deferred", delaySeconds: slot.retryInSeconds };
  // Validators only make sense while the chunks of that earlier fetch are still stored.
  const previous = target.snapshotKey ? target : { etag: null, lastModified: null };
  let outcome: FetchOutcome | null = null;
  try {
    outcome = await fetchPage(target.url, {
      ...deps.fetch,
      etag: previous.etag,
      lastModified: previous.lastModified,
    });
  } finally {
    await hostSlots.releaseHostSlot(deps.db, slot, outcome);
  }
  if (outcome.kind === "failed") return outcome;
  if (outcome.kind === "not-modified") {
    await store.markNotModified(deps.db, urlId);
    return { kind: "not-modified" };
  }
  const { page } = outcome;
  const doc = await extract(page);
  // Nothing to index: fail the url for good rather than mark it ready with no chunks.
  if (doc.text === "") {
    const message = "the page holds no extractable text";
    return {
      kind: "failed",
      code: UrlErrorCode.NO_CONTENT,
      message,
      status: null,
      retryable: false,
    };
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
  const inputs = chunks.map((chunk) => embeddingInput(doc.title, chunk));
  // The hash covers what is embedded (title and heading path included), so equal hashes under
  // the same model mean an equal vector.
  const hashes = await Promise.all(inputs.map((input) => authUtils.sha256Hex(input)));
  const reusable = await store.startProcessing(deps.db, urlId, hashes, deps.embedder.model);
  if (!reusable) return await forget(deps, key, target.snapshotKey);

  const missing = new Map<string, string>();
  hashes.forEach((hash, i) => {
    if (!reusable.has(hash)) missing.set(hash, inputs[i] ?? "");
  });
  if (missing.size > 0) {
    const vectors = await deps.embedder.embed([...missing.values()]);
    let i = 0;
    for (const hash of missing.keys()) reusable.set(hash, toVectorLiteral(vectors[i++] ?? []));
  }
  const rows = chunks.map((chunk, i) => {
    const hash = hashes[i] ?? "";
    return {
      position: chunk.position,
      text: chunk.text,
      heading_path: chunk.headingPath.map((heading) => heading.slice(0, HEADING_MAX)),
      token_count: chunk.tokenCount,
      content_hash: hash,
      embedding: reusable.get(hash) ?? "",
    };
  });
  const { extraction } = doc;
  const written = await store.writeChunks(deps.db, urlId, deps.embedder.model, rows, {
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
  });
  if (!written) return await forget(deps, key, target.snapshotKey);
  if (target.snapshotKey && target.snapshotKey !== key) {
    await removeObject(deps, target.snapshotKey);
  }
  return {
    kind: "ready",
    chunks: rows.length,
    embedded: missing.size,
    reused: rows.length - missing.size,
  };
}

async function extract(page: FetchedPage): Promise<ExtractedDocument> {
  return page.contentType === "text/html"
    ? await extractHtml(page.body)
    : extractPlainText(page.body, page.contentType);
}

/**
 * The url was deleted while we worked: its delete-prefix message may already have run, so the
 * snapshot we just stored would be orphaned. Remove it.
 */
async function forget(deps: IngestDeps, key: string, previousKey: string | null) {
  if (key !== previousKey) await removeObject(deps, key);
  return { kind: "gone" } as const;
}

/** Deletes one object; on S3 trouble the queue retries it (a full key is its own prefix). */
async function removeObject(deps: IngestDeps, key: string): Promise<void> {
  try {
    await deps.s3.delete(key);
  } catch {
    await snapshots.enqueuePrefixDeletion(deps.queue, [key]);
  }
}
