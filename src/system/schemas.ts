import * as z from "zod";
import { Int64, int32 } from "../schemas";
import { ModelInfo } from "../vectorization/schemas";

const Check = z.object({
  status: z.enum(["ok", "error"]),
  latency_ms: z.number().min(0),
  error: z.string().max(200).optional(),
});

const Version = z
  .string()
  .max(64)
  .regex(/^\d+\.\d+\.\d+/)
  .openapi({ example: "0.1.0" });

export const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ database: Check, storage: Check }),
    version: Version,
  })
  .openapi("Health");

export const Info = z
  .object({
    version: Version,
    embedding: ModelInfo,
    limits: z.object({
      max_body_bytes: Int64,
      urls_per_request: int32(1, 1000),
      page_size_max: int32(1, 1000),
      search_top_k_max: int32(1, 1000),
      fetch_max_bytes: Int64,
      fetch_timeout_ms: int32(100, 60_000),
      access_token_ttl_seconds: int32(60, 86_400),
    }),
  })
  .openapi("Info");

export const Stats = z
  .object({
    users: Int64,
    projects: Int64,
    urls: z.object({
      total: Int64,
      queued: Int64,
      fetching: Int64,
      processing: Int64,
      ready: Int64,
      failed: Int64,
    }),
    chunks: Int64,
    storage_bytes: Int64,
  })
  .openapi("Stats");

export type Health = z.infer<typeof Health>;
export type Stats = z.infer<typeof Stats>;
