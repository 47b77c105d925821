import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { getS3 } from "../../src/aws/service";
import { type Env, getConfig } from "../../src/config";
import { getDb, sql } from "../../src/database";
import { type IngestDeps, ingestUrl } from "../../src/ingestion/pipeline";
import { fetchSettings } from "../../src/urls/config";
import type { Embedder } from "../../src/vectorization/embedders";
import { getEmbedder } from "../../src/vectorization/service";
import { query } from "../projects/fixtures";
import { call, countRoundTrips, expectStatus, setFault } from "../support/api";
import { deliver, deliverWith, getUrl, message, seedUrl, setPage, site } from "./helpers";

const testEnv = env as unknown as Env;
const MiB = 1024 * 1024;

/** The consumer's dependencies, with the fetch size limit raised past the tests' 64 KiB. */
function deps(overrides: Partial<IngestDeps> = {}): IngestDeps {
  const config = getConfig(testEnv);
  return {
    db: getDb(testEnv),
    s3: getS3(testEnv),
    embedder: getEmbedder(testEnv, config),
    fetch: { ...fetchSettings(config), maxBytes: 6 * MiB, timeoutMs: 30_000 },
    maxChunks: config.MAX_CHUNKS_PER_URL,
    ...overrides,
  };
}

async function search(token: string, projectId: string, text: string) {
  const body = await expectStatus<{ results: { text: string; url: { id: string } }[] }>(
    await call("POST", `/v1/projects/${projectId}/search`, {
      token,
      body: { query: text, mode: "keyword", top_k: 5 },
    }),
    200,
  );
  return body.results;
}

/** An embedder that counts the texts it embeds and can be made to fail on its n-th call. */
function countingEmbedder(failOnCall = 0): Embedder & { texts: number } {
  const real = getEmbedder(testEnv, getConfig(testEnv));
  let calls = 0;
  const counter = {
    model: real.model,
    texts: 0,
    async embed(texts: string[]) {
      calls += 1;
      if (calls === failOnCall) throw new Error("consumer killed");
      counter.texts += texts.length;
      return real.embed(texts);
    },
  };
  return counter as Embedder & { texts: number };
}

describe("pages of real-world size", () => {
  afterEach(async () => {
    await setFault("database", "none");
  });

  // 2 MiB rather than FETCH_MAX_BYTES' 5 MiB keeps the suite fast (`npm run bench:ingestion`
  // indexes a 5 MiB page); its rows already sum to more than one request may carry.
  it("indexes a 2 MiB page in requests under the database's 10 MiB limit", async () => {
    const { token, projectId, urlId } = await seedUrl(site(`/big/${2 * MiB}`));
    const { result, roundTrips } = await countRoundTrips(() => ingestUrl(deps(), urlId));
    expect(result.kind).toBe("ready");
    const url = await getUrl(token, projectId, urlId);
    expect(url).toMatchObject({ status: "ready", error: null, last_error: null });
    // 2 MiB of text plus over 2,000 vectors of ~4 KB as text: more than 10 MiB in all.
    expect(url.chunk_count).toBeGreaterThan(2000);
    expect(roundTrips).toBeGreaterThan(3);
    const [stored] = await query<{ n: number; generations: number }>(
      sql`select count(*)::int as n, count(distinct generation)::int as generations
          from chunks where url_id = ${urlId}`,
    );
    expect(stored).toEqual({ n: url.chunk_count, generations: 1 });
    // The last section is as findable as the first.
    const [last] = await query<{ text: string }>(
      sql`select text from chunks where url_id = ${urlId} and text like '%marker%'
          order by position desc limit 1`,
    );
    const marker = /section\d+marker/.exec(last?.text ?? "")?.[0];
    expect(marker).toMatch(/section[1-9]\d{2,}marker/);
    const hits = await search(token, projectId, marker ?? "");
    expect(hits[0]?.text).toContain(marker);
  }, 180_000);

  it("fails a page over MAX_CHUNKS_PER_URL with CONTENT_TOO_LARGE after one attempt", async () => {
    const { token, projectId, urlId } = await seedUrl(site(`/big/${40 * 1024}`));
    const msg = message({ kind: "ingest", urlId });
    await deliverWith({ ...testEnv, MAX_CHUNKS_PER_URL: "10" }, msg);
    expect(msg.ack).toHaveBeenCalledOnce();
    expect(msg.retry).not.toHaveBeenCalled();
    const url = await getUrl(token, projectId, urlId);
    expect(url).toMatchObject({ status: "failed", attempts: 1, chunk_count: 0 });
    expect(url.error?.code).toBe("CONTENT_TOO_LARGE");
    expect(url.last_error?.code).toBe("CONTENT_TOO_LARGE");
    const [left] = await query<{ n: number }>(
      sql`select count(*)::int as n from chunks where url_id = ${urlId}`,
    );
    expect(left?.n).toBe(0);
  });

  it("fails markup the HTML parser refuses (100,000 nested elements) with CONTENT_TOO_LARGE", async () => {
    const name = `nested-${crypto.randomUUID()}`;
    const pageUrl = await setPage(
      name,
      `${"<div>".repeat(100_000)}deep${"</div>".repeat(100_000)}`,
    );
    const { urlId } = await seedUrl(pageUrl);
    const result = await ingestUrl(deps(), urlId);
    expect(result).toMatchObject({ kind: "failed", code: "CONTENT_TOO_LARGE", retryable: false });
  });

  it("fails with CONTENT_TOO_LARGE, not a retry loop, when the database answers 413", async () => {
    const { token, projectId, urlId } = await seedUrl(site(`/big/${40 * 1024}`));
    await setFault("database", "small");
    const msg = message({ kind: "ingest", urlId });
    await deliver(msg);
    await setFault("database", "none");
    expect(msg.ack).toHaveBeenCalledOnce();
    expect(msg.retry).not.toHaveBeenCalled();
    const url = await getUrl(token, projectId, urlId);
    expect(url).toMatchObject({ status: "failed", attempts: 1 });
    expect(url.error?.code).toBe("CONTENT_TOO_LARGE");
    expect(url.error?.message).not.toMatch(/HTTP status|insert|select/);
  });

  it("keeps the old version searchable when a consumer dies mid-write; the retry reuses its work", async () => {
    const name = `killed-${crypto.randomUUID()}`;
    const pageUrl = await setPage(name, pageWith("oldversionword", 30));
    const { token, projectId, urlId } = await seedUrl(pageUrl);
    const small = { writeBatchBytes: 64 * 1024 };
    expect((await ingestUrl(deps(small), urlId)).kind).toBe("ready");
    const before = await getUrl(token, projectId, urlId);

    await setPage(name, pageWith("newversionword", 30));
    // The second batch's embedding "kills" the consumer: no error handler runs.
    const dying = countingEmbedder(2);
    await expect(ingestUrl(deps({ ...small, embedder: dying }), urlId)).rejects.toThrow("killed");
    const during = await getUrl(token, projectId, urlId);
    expect(during.status).toBe("processing");
    expect(during.chunk_count).toBe(before.chunk_count);
    expect((await search(token, projectId, "oldversionword")).length).toBeGreaterThan(0);
    expect(await search(token, projectId, "newversionword")).toEqual([]);
    const listed = await expectStatus<{ items: { text: string }[] }>(
      await call("GET", `/v1/projects/${projectId}/urls/${urlId}/chunks?limit=100`, { token }),
      200,
    );
    expect(listed.items).toHaveLength(before.chunk_count);
    expect(listed.items.every((c) => !c.text.includes("newversionword"))).toBe(true);
    const [staged] = await query<{ n: number }>(
      sql`select count(*)::int as n from chunks c join urls u on u.id = c.url_id
          where c.url_id = ${urlId} and c.generation <> u.generation`,
    );
    expect(staged?.n).toBeGreaterThan(0);

    // The retry embeds only what the dead attempt had not stored.
    const retry = countingEmbedder();
    const result = await ingestUrl(deps({ ...small, embedder: retry }), urlId);
    expect(result).toMatchObject({ kind: "ready" });
    if (result.kind !== "ready") throw new Error("not ready");
    expect(result.reused).toBe(staged?.n);
    expect(retry.texts).toBe(result.chunks - (staged?.n ?? 0));
    expect((await search(token, projectId, "newversionword")).length).toBeGreaterThan(0);
    expect(await search(token, projectId, "oldversionword")).toEqual([]);
    const [leftovers] = await query<{ n: number }>(
      sql`select count(*)::int as n from chunks c join urls u on u.id = c.url_id
          where c.url_id = ${urlId} and c.generation <> u.generation`,
    );
    expect(leftovers?.n).toBe(0);
  }, 60_000);
});

/** A page of `sections` sections whose every paragraph carries `word`. */
function pageWith(word: string, sections: number): string {
  const body = Array.from(
    { length: sections },
    (_, i) =>
      `<h2>Part ${i}</h2><p>${word} part ${i}: ${"steady filler sentence about gardens. ".repeat(20)}</p>`,
  ).join("");
  return `<html><head><title>Versioned</title></head><body><main>${body}</main></body></html>`;
}
