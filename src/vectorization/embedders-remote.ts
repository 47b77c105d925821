import {
  chunked,
  EMBEDDING_DIMENSIONS,
  type Embedder,
  type EmbeddingProvider,
  l2Normalize,
} from "./embedders-core";
import { EmbeddingFailed } from "./embedders-errors";

export const WORKERS_AI_MODEL = "@cf/baai/bge-small-en-v1.5";
/** Workers AI accepts at most 100 texts per embedding call. */
export const WORKERS_AI_BATCH = 100;
export const OPENAI_DEFAULT_MODEL = "text-embedding-3-small";
export const OPENAI_BATCH = 96;
const OPENAI_TIMEOUT_MS = 30_000;

/**
 * The one method of the Workers AI binding used here. Structural rather than `Pick<Ai, "run">`
 * (whose overloads a fake cannot implement) so tests can pass a plain object and Node code needs
 * no Workers types; the real `env.AI` is assignable to it.
 */
export interface AiBinding {
  run(model: string, inputs: { text: string[]; pooling?: "mean" | "cls" }): Promise<unknown>;
}

/**
 * Checks that a provider answered with one finite 384-d vector per input and normalizes them.
 *
 * @example
 * checkVectors("openai", [[...]], 1) // [[...unit vector]]
 */
export function checkVectors(
  provider: EmbeddingProvider,
  vectors: unknown,
  expected: number,
): number[][] {
  if (!Array.isArray(vectors) || vectors.length !== expected) {
    const got = Array.isArray(vectors) ? vectors.length : typeof vectors;
    throw new EmbeddingFailed(provider, `expected ${expected} embeddings, got ${got}`);
  }
  return vectors.map((v, i) => {
    if (!Array.isArray(v) || v.length !== EMBEDDING_DIMENSIONS) {
      const got = Array.isArray(v) ? `${v.length} dimensions` : typeof v;
      throw new EmbeddingFailed(
        provider,
        `embedding ${i} has ${got}, expected ${EMBEDDING_DIMENSIONS}`,
      );
    }
    try {
      return l2Normalize(v as number[]);
    } catch (cause) {
      throw new EmbeddingFailed(provider, `embedding ${i} is zero or not finite`, { cause });
    }
  });
}

/**
 * Embeds through the Workers AI binding, 100 texts per call, vectors normalized here
 * (the model's output is close to, but not guaranteed to be, unit length).
 *
 * @example
 * createWorkersAiEmbedder(env.AI).embed(["hello"])
 */
export function createWorkersAiEmbedder(ai: AiBinding): Embedder {
  return {
    provider: "workers-ai",
    model: WORKERS_AI_MODEL,
    dimensions: EMBEDDING_DIMENSIONS,
    async embed(texts) {
      const out: number[][] = [];
      for (const batch of chunked(texts, WORKERS_AI_BATCH)) {
        let result: unknown;
        try {
          // Pooling is pinned: "mean" and "cls" vectors are not comparable, and the recorded
          // model name must keep meaning the same vectors if the platform default changes.
          result = await ai.run(WORKERS_AI_MODEL, { text: batch, pooling: "mean" });
        } catch (cause) {
          const reason = cause instanceof Error ? cause.message : String(cause);
          throw new EmbeddingFailed("workers-ai", `Workers AI embedding failed: ${reason}`, {
            retryable: true,
            cause,
          });
        }
        const data = (result as { data?: unknown } | null)?.data;
        out.push(...checkVectors("workers-ai", data, batch.length));
      }
      return out;
    },
  };
}

export interface OpenAiOptions {
  baseUrl: string;
  apiKey: string;
  model?: string;
  fetch?: typeof fetch;
}

/** Upstream error text is shown to operators; keep it short and never echo the key. */
function describeError(body: string, apiKey: string): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string };
    const message = typeof parsed.error === "string" ? parsed.error : parsed.error?.message;
    if (typeof message === "string") text = message;
  } catch {
    // not JSON: use the raw body
  }
  text = text.replaceAll(apiKey, "[redacted]").replace(/\s+/g, " ").trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

interface OpenAiResponse {
  data?: { embedding?: unknown; index?: unknown }[];
}

/**
 * Embeds through any OpenAI-compatible `/embeddings` endpoint (OpenAI, Azure-compatible
 * gateways, vLLM, Ollama, …), asking for 384 dimensions, 96 texts per request.
 *
 * @example
 * createOpenAiEmbedder({ baseUrl: "https://api.openai.com/v1", apiKey }).embed(["hello"])
 */
export function createOpenAiEmbedder(options: OpenAiOptions): Embedder {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/embeddings`;
  const model = options.model ?? OPENAI_DEFAULT_MODEL;
  // Wrapped so workerd never sees its fetch called with a foreign `this` ("Illegal invocation").
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const fail = (message: string, extra: ConstructorParameters<typeof EmbeddingFailed>[2]) =>
    new EmbeddingFailed("openai", `OpenAI-compatible embedding request failed: ${message}`, extra);

  async function embedBatch(batch: string[]): Promise<number[][]> {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          model,
          input: batch,
          dimensions: EMBEDDING_DIMENSIONS,
          encoding_format: "float",
        }),
        signal: AbortSignal.timeout(OPENAI_TIMEOUT_MS),
      });
    } catch (cause) {
      const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      throw fail(reason.replaceAll(options.apiKey, "[redacted]"), { retryable: true, cause });
    }
    if (!res.ok) {
      const detail = describeError(await res.text().catch(() => ""), options.apiKey);
      throw fail(`HTTP ${res.status}${detail ? ` (${detail})` : ""}`, {
        upstreamStatus: res.status,
        retryable: res.status === 408 || res.status === 429 || res.status >= 500,
      });
    }
    let body: OpenAiResponse;
    try {
      body = (await res.json()) as OpenAiResponse;
    } catch (cause) {
      throw fail("response is not JSON", { upstreamStatus: res.status, cause });
    }
    if (!Array.isArray(body.data)) throw fail("response has no data array", {});
    // The API documents `index` per item; order by it rather than trusting array order.
    const items = [...body.data].sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
    return checkVectors(
      "openai",
      items.map((d) => d.embedding),
      batch.length,
    );
  }

  return {
    provider: "openai",
    model,
    dimensions: EMBEDDING_DIMENSIONS,
    async embed(texts) {
      const out: number[][] = [];
      for (const batch of chunked(texts, OPENAI_BATCH)) out.push(...(await embedBatch(batch)));
      return out;
    },
  };
}
