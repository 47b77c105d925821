import * as z from "zod";
import { MODEL_NAME_MAX } from "../config";
import { Int64, int32 } from "../schemas";
import { EMBEDDING_DIMENSIONS, EMBEDDING_MODELS } from "./embedders";

const Provider = z
  .string()
  .max(32)
  .regex(/^[a-z-]+$/)
  .openapi({ example: "workers-ai" });
const ModelName = z.string().max(MODEL_NAME_MAX);
const Dimensions = int32(EMBEDDING_DIMENSIONS, EMBEDDING_DIMENSIONS);

export const ModelInfo = z
  .object({ provider: Provider, model: ModelName, dimensions: Dimensions })
  .openapi("EmbeddingModel");

export const EmbeddingModels = z
  .object({
    active: ModelInfo.openapi({
      description: "What new chunks and search queries are embedded with",
    }),
    dimensions: Dimensions.openapi({ description: "The vector size every model is used at" }),
    models: z.array(ModelInfo.extend({ active: z.boolean() })).max(EMBEDDING_MODELS.length),
  })
  .openapi("EmbeddingModels");

export const VectorizationStatus = z
  .object({
    model: ModelName.openapi({ description: "The active model" }),
    provider: Provider,
    dimensions: Dimensions,
    chunks_total: Int64,
    chunks_embedded: Int64.openapi({ description: "Embedded with the active model" }),
    chunks_stale: Int64.openapi({
      description: "Without an embedding, or embedded with another model",
    }),
  })
  .openapi("VectorizationStatus");

export type EmbeddingModels = z.infer<typeof EmbeddingModels>;
export type VectorizationStatus = z.infer<typeof VectorizationStatus>;
