import type { Config, Env } from "../config";
import { createEmbedder, EMBEDDING_MODELS, type Embedder } from "./embedders";

export interface ModelInfo {
  provider: string;
  model: string;
  dimensions: number;
}

/** The provider and model new chunks are embedded with. */
export function activeModel(config: Config): ModelInfo {
  const entry = EMBEDDING_MODELS.find((model) => model.provider === config.EMBEDDING_PROVIDER);
  if (!entry) throw new Error(`no model listed for ${config.EMBEDDING_PROVIDER}`);
  const model = config.EMBEDDING_PROVIDER === "openai" ? config.OPENAI_EMBEDDING_MODEL : undefined;
  return { ...entry, model: model ?? entry.model };
}

/** The configured embedder for this deployment. */
export function getEmbedder(env: Env, config: Config): Embedder {
  return createEmbedder({
    provider: config.EMBEDDING_PROVIDER,
    ai: env.AI,
    openaiBaseUrl: config.OPENAI_BASE_URL,
    openaiApiKey: config.OPENAI_API_KEY,
    openaiModel: config.OPENAI_EMBEDDING_MODEL,
  });
}
