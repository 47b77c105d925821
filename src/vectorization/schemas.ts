import * as z from "zod";

const ModelInfo = z
  .object({ provider: z.string(), model: z.string(), dimensions: z.number().int() })
  .openapi("EmbeddingModel");

export const EmbeddingModels = z
  .object({
    active: ModelInfo.openapi({
      description: "What new chunks and search queries are embedded with",
    }),
    dimensions: z.number().int().openapi({ description: "The vector size every model is used at" }),
    models: z.array(ModelInfo.extend({ active: z.boolean() })),
  })
  .openapi("EmbeddingModels");

export const VectorizationStatus = z
  .object({
    model: z.string().openapi({ description: "The active model" }),
    provider: z.string(),
    dimensions: z.number().int(),
    chunks_total: z.number().int(),
    chunks_embedded: z.number().int().openapi({ description: "Embedded with the active model" }),
    chunks_stale: z
      .number()
      .int()
      .openapi({ description: "Without an embedding, or embedded with another model" }),
  })
  .openapi("VectorizationStatus");

export type EmbeddingModels = z.infer<typeof EmbeddingModels>;
export type VectorizationStatus = z.infer<typeof VectorizationStatus>;
