import * as z from "zod";

const Check = z.object({ status: z.enum(["ok", "error"]), latency_ms: z.number() });

export const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ database: Check, storage: Check }),
    version: z.string(),
  })
  .openapi("Health");

export const Info = z
  .object({
    version: z.string(),
    embedding: z.object({ provider: z.string(), model: z.string(), dimensions: z.number().int() }),
    limits: z.object({
      max_body_bytes: z.number().int(),
      urls_per_request: z.number().int(),
      page_size_max: z.number().int(),
      search_top_k_max: z.number().int(),
      fetch_max_bytes: z.number().int(),
      fetch_timeout_ms: z.number().int(),
      access_token_ttl_seconds: z.number().int(),
    }),
  })
  .openapi("Info");

export const Stats = z
  .object({
    users: z.number().int(),
    projects: z.number().int(),
    urls: z.object({
      total: z.number().int(),
      queued: z.number().int(),
      fetching: z.number().int(),
      processing: z.number().int(),
      ready: z.number().int(),
      failed: z.number().int(),
    }),
    chunks: z.number().int(),
    storage_bytes: z.number().int(),
  })
  .openapi("Stats");

export type Health = z.infer<typeof Health>;
export type Stats = z.infer<typeof Stats>;
