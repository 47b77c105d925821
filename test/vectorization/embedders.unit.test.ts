import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config";
import {
  type AiBinding,
  createEmbedder,
  EMBEDDING_DIMENSIONS,
  EMBEDDING_MODELS,
  EmbeddingFailed,
  LOCAL_MODEL,
  toVectorLiteral,
  WORKERS_AI_MODEL,
} from "../../src/vectorization/embedders";
import { tokenize } from "../../src/vectorization/embedders-local";

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

/** A deterministic pseudo-embedding whose length is deliberately not 1. */
const rawVector = (seed: number, dims = EMBEDDING_DIMENSIONS) =>
  Array.from({ length: dims }, (_, i) => Math.sin(seed * 31 + i) * 3);

describe("local embedder", () => {
  const local = createEmbedder({ provider: "local" });

  it("names its model and dimensions", () => {
    expect(local).toMatchObject({ provider: "local", model: LOCAL_MODEL, dimensions: 384 });
  });

  it("returns one 384-d unit vector per text, empty text included", async () => {
    const vectors = await local.embed(["hello world", "", "the of and", "東京都に住んでいます"]);
    expect(vectors).toHaveLength(4);
    for (const v of vectors) {
      expect(v).toHaveLength(384);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 10);
    }
  });

  it("is deterministic across calls and batch positions", async () => {
    const text = "Postgres HNSW indexes trade recall for latency";
    const [a] = await local.embed([text]);
    const [, b] = await local.embed(["something else", text]);
    expect(b).toEqual(a);
  });

  it("gives texts that share words a clearly higher cosine than unrelated texts", async () => {
    const [query, related, paraphrase, unrelated, otherTopic] = (await local.embed([
      "vector search with an HNSW index in Postgres",
      "Postgres builds an HNSW index for fast vector search",
      "searching vectors: the HNSW indexes of postgres",
      "the recipe needs two cups of flour and a pinch of salt",
      "football match ended with a late goal from the striker",
    ])) as number[][];
    const rel = cosine(query as number[], related as number[]);
    const para = cosine(query as number[], paraphrase as number[]);
    const unrel = cosine(query as number[], unrelated as number[]);
    const other = cosine(query as number[], otherTopic as number[]);
    expect(rel).toBeGreaterThan(0.5);
    expect(para).toBeGreaterThan(0.4);
    expect(Math.abs(unrel)).toBeLessThan(0.2);
    expect(Math.abs(other)).toBeLessThan(0.2);
  });

  it("brings word forms together: stems and character 4-grams", async () => {
    const [query, inflected, unrelated] = (await local.embed([
      "classification of scientific libraries",
      "classifying a science library",
      "football match ended with a late goal",
    ])) as number[][];
    expect(cosine(query as number[], inflected as number[])).toBeGreaterThan(0.4);
    expect(Math.abs(cosine(query as number[], unrelated as number[]))).toBeLessThan(0.2);
  });

  it("tokenizes case- and unicode-aware, Porter-stemmed, dropping stop words", () => {
    expect(tokenize("The Cats sat on the MATS")).toEqual(["cat", "sat", "mat"]);
    expect(tokenize("Libraries, ＡＢＣ café, retrieving")).toEqual([
      "librari",
      "abc",
      "café",
      "retriev",
    ]);
    expect(tokenize("東京")).toEqual(["東", "京"]);
    expect(tokenize("the of")).toEqual(["the", "of"]);
  });
});

describe("workers-ai embedder", () => {
  function fakeAi(respond?: (text: string[]) => unknown) {
    const calls: { model: string; text: string[] }[] = [];
    const ai: AiBinding = {
      run: async (model, inputs) => {
        calls.push({ model, text: inputs.text });
        return respond ? respond(inputs.text) : { data: inputs.text.map((_, i) => rawVector(i)) };
      },
    };
    return { ai, calls };
  }

  it("batches by 100 and normalizes the vectors, in order", async () => {
    const { ai, calls } = fakeAi((text) => ({ data: text.map((t) => rawVector(Number(t))) }));
    const embedder = createEmbedder({ provider: "workers-ai", ai });
    const texts = Array.from({ length: 250 }, (_, i) => String(i));
    const vectors = await embedder.embed(texts);
    expect(calls.map((c) => c.text.length)).toEqual([100, 100, 50]);
    expect(calls.every((c) => c.model === WORKERS_AI_MODEL)).toBe(true);
    expect(vectors).toHaveLength(250);
    expect(norm(vectors[137] as number[])).toBeCloseTo(1, 10);
    const expected = rawVector(137).map((x) => x / norm(rawVector(137)));
    expect(vectors[137]?.[5]).toBeCloseTo(expected[5] as number, 12);
  });

  it("makes no call for no texts", async () => {
    const { ai, calls } = fakeAi();
    expect(await createEmbedder({ provider: "workers-ai", ai }).embed([])).toEqual([]);
    expect(calls).toHaveLength(0);
  });

  it("maps a binding failure to a retryable EmbeddingFailed", async () => {
    const { ai } = fakeAi(() => {
      throw new Error("InferenceUpstreamError: capacity");
    });
    const error = await createEmbedder({ provider: "workers-ai", ai })
      .embed(["x"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingFailed);
    expect(error).toMatchObject({ status: 502, code: "EMBEDDING_FAILED", retryable: true });
  });

  it("rejects a response with the wrong count or dimensions", async () => {
    const short = fakeAi(() => ({ data: [rawVector(1)] })).ai;
    await expect(
      createEmbedder({ provider: "workers-ai", ai: short }).embed(["a", "b"]),
    ).rejects.toThrow(/expected 2 embeddings, got 1/);
    const wide = fakeAi(() => ({ data: [rawVector(1, 768)] })).ai;
    await expect(createEmbedder({ provider: "workers-ai", ai: wide }).embed(["a"])).rejects.toThrow(
      /768 dimensions/,
    );
  });

  it("needs the binding", () => {
    expect(() => createEmbedder({ provider: "workers-ai" })).toThrow(ConfigError);
  });
});

describe("openai embedder", () => {
  const apiKey = "sk-test-SECRET-123";

  function fakeFetch(respond: (body: { input: string[] }) => Response) {
    const requests: { url: string; headers: Headers; body: Record<string, unknown> }[] = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { input: string[] };
      requests.push({ url: String(input), headers: new Headers(init?.headers), body });
      return respond(body);
    }) as typeof globalThis.fetch;
    return { fetch, requests };
  }

  const ok = (body: { input: string[] }) =>
    // Reversed on purpose: the client must order by `index`.
    Response.json({
      data: body.input.map((t, index) => ({ index, embedding: rawVector(Number(t)) })).reverse(),
    });

  const make = (fetch: typeof globalThis.fetch, baseUrl = "https://llm.example/v1/") =>
    createEmbedder({ provider: "openai", openaiBaseUrl: baseUrl, openaiApiKey: apiKey, fetch });

  it("posts batches of 96 with model, dimensions and bearer key, ordered by index", async () => {
    const { fetch, requests } = fakeFetch(ok);
    const embedder = make(fetch);
    const vectors = await embedder.embed(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(embedder).toMatchObject({ provider: "openai", model: "text-embedding-3-small" });
    expect(requests.map((r) => (r.body.input as string[]).length)).toEqual([96, 96, 8]);
    expect(requests[0]?.url).toBe("https://llm.example/v1/embeddings");
    expect(requests[0]?.headers.get("authorization")).toBe(`Bearer ${apiKey}`);
    expect(requests[0]?.body).toMatchObject({ model: "text-embedding-3-small", dimensions: 384 });
    const expected = rawVector(150).map((x) => x / norm(rawVector(150)));
    expect(vectors[150]?.[0]).toBeCloseTo(expected[0] as number, 12);
    expect(norm(vectors[199] as number[])).toBeCloseTo(1, 10);
  });

  it("uses the configured model name and records it", async () => {
    const { fetch, requests } = fakeFetch(ok);
    const embedder = createEmbedder({
      provider: "openai",
      openaiBaseUrl: "http://127.0.0.1:11434/v1",
      openaiApiKey: apiKey,
      openaiModel: "nomic-embed-text",
      fetch,
    });
    await embedder.embed(["1"]);
    expect(embedder.model).toBe("nomic-embed-text");
    expect(requests[0]?.body.model).toBe("nomic-embed-text");
  });

  it("maps a 401 to a non-retryable error that names the status but not the key", async () => {
    const { fetch } = fakeFetch(() =>
      Response.json(
        { error: { message: `Incorrect API key provided: ${apiKey}` } },
        { status: 401 },
      ),
    );
    const error = (await make(fetch)
      .embed(["1"])
      .catch((e: unknown) => e)) as EmbeddingFailed;
    expect(error).toBeInstanceOf(EmbeddingFailed);
    expect(error).toMatchObject({ upstreamStatus: 401, retryable: false, provider: "openai" });
    expect(error.message).toMatch(/HTTP 401 \(Incorrect API key provided: \[redacted\]\)/);
    expect(error.message).not.toContain(apiKey);
  });

  it("marks 429 and 5xx as retryable", async () => {
    for (const status of [429, 503]) {
      const { fetch } = fakeFetch(() => new Response("busy", { status }));
      await expect(make(fetch).embed(["1"])).rejects.toMatchObject({
        upstreamStatus: status,
        retryable: true,
      });
    }
  });

  it("maps network failures and malformed bodies to EmbeddingFailed", async () => {
    const down = (async () => {
      throw new TypeError(`connect failed for ${apiKey}`);
    }) as typeof fetch;
    const error = (await make(down)
      .embed(["1"])
      .catch((e: unknown) => e)) as EmbeddingFailed;
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).not.toContain(apiKey);
    const html = fakeFetch(() => new Response("<html>", { status: 200 })).fetch;
    await expect(make(html).embed(["1"])).rejects.toThrow(/not JSON/);
    const missing = fakeFetch(() => Response.json({ data: [] })).fetch;
    await expect(make(missing).embed(["1"])).rejects.toThrow(/expected 1 embeddings, got 0/);
  });

  it("needs a base URL and a key", () => {
    expect(() => createEmbedder({ provider: "openai", openaiApiKey: apiKey })).toThrow(ConfigError);
    expect(() => createEmbedder({ provider: "openai", openaiBaseUrl: "https://x" })).toThrow(
      ConfigError,
    );
  });
});

describe("EMBEDDING_MODELS and toVectorLiteral", () => {
  it("lists one 384-d model per provider", () => {
    expect(EMBEDDING_MODELS.map((m) => m.provider)).toEqual(["local", "workers-ai", "openai"]);
    expect(EMBEDDING_MODELS.every((m) => m.dimensions === 384)).toBe(true);
  });

  it("formats pgvector literals with float4 precision and rejects non-finite values", () => {
    expect(toVectorLiteral([0.5, -0.25, 0, 1e-9])).toBe("[0.5,-0.25,0,1e-9]");
    expect(toVectorLiteral([0.123456789])).toBe("[0.1234568]");
    expect(() => toVectorLiteral([1, Number.NaN])).toThrow(RangeError);
  });
});
