import { ConfigError } from "../config";
import { EMBEDDING_DIMENSIONS, type Embedder, type EmbeddingProvider } from "./embedders-core";
import { createLocalEmbedder, LOCAL_MODEL } from "./embedders-local";
import {
  type AiBinding,
  createOpenAiEmbedder,
  createWorkersAiEmbedder,
  OPENAI_DEFAULT_MODEL,
  WORKERS_AI_MODEL,
} from "./embedders-remote";

export {
  EMBEDDING_DIMENSIONS,
  type Embedder,
  type EmbeddingProvider,
  toVectorLiteral,
} from "./embedders-core";
export { EMBEDDING_FAILED, EmbeddingFailed } from "./embedders-errors";
export { LOCAL_MODEL } from "./embedders-local";
export { type AiBinding, OPENAI_DEFAULT_MODEL, WORKERS_AI_MODEL } from "./embedders-remote";

export interface EmbedderSettings {
  provider: EmbeddingProvider;
  /** The Workers AI binding; required for `workers-ai`. */
  ai?: AiBinding;
  /** e.g. `https://api.openai.com/v1`; required for `openai`. */
  openaiBaseUrl?: string;
  /** Required for `openai`. */
  openaiApiKey?: string;
  /** Defaults to `text-embedding-3-small`. */
  openaiModel?: string;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The models each provider offers, for `GET /v1/vectorization/models`. */
export const EMBEDDING_MODELS: ReadonlyArray<{
  provider: EmbeddingProvider;
  model: string;
  dimensions: number;
}> = Object.freeze([
  { provider: "local", model: LOCAL_MODEL, dimensions: EMBEDDING_DIMENSIONS },
  { provider: "workers-ai", model: WORKERS_AI_MODEL, dimensions: EMBEDDING_DIMENSIONS },
  { provider: "openai", model: OPENAI_DEFAULT_MODEL, dimensions: EMBEDDING_DIMENSIONS },
]);

/**
 * Builds the configured embedder. Missing configuration throws here, at startup, rather than
 * on the first chunk.
 *
 * @example
 * const embedder = createEmbedder({ provider: env.EMBEDDING_PROVIDER, ai: env.AI });
 * const vectors = await embedder.embed(chunks.map((c) => c.text));
 */
export function createEmbedder(settings: EmbedderSettings): Embedder {
  switch (settings.provider) {
    case "local":
      return createLocalEmbedder();
    case "workers-ai":
      if (!settings.ai) throw new ConfigError("embedding provider workers-ai needs the AI binding");
      return createWorkersAiEmbedder(settings.ai);
    case "openai": {
      const { openaiBaseUrl: baseUrl, openaiApiKey: apiKey } = settings;
      if (!baseUrl || !apiKey) {
        throw new ConfigError("embedding provider openai needs openaiBaseUrl and openaiApiKey");
      }
      return createOpenAiEmbedder({
        baseUrl,
        apiKey,
        model: settings.openaiModel || undefined,
        fetch: settings.fetch,
      });
    }
    default:
      throw new ConfigError(
        `unknown embedding provider: ${String(settings.provider satisfies never)}`,
      );
  }
}
