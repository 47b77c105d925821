import * as z from "zod";
import { RAW_TEXT } from "../app";
import { UrlRef } from "../chunks/schemas";
import {
  RRF_K,
  RRF_WEIGHTS,
  SEARCH_MODES,
  SEARCH_QUERY_MAX,
  SEARCH_TOP_K_DEFAULT,
  SEARCH_TOP_K_MAX,
  SEARCH_URL_IDS_MAX,
} from "./constants";

export const SearchRequest = z
  .strictObject({
    query: z.string().trim().min(1).max(SEARCH_QUERY_MAX).openapi({
      description: 'Free text; keyword mode also understands websearch syntax: "phrase", or, -not',
      example: "how do I rotate api keys",
    }),
    top_k: z.number().int().min(1).max(SEARCH_TOP_K_MAX).default(SEARCH_TOP_K_DEFAULT),
    mode: z
      .enum(SEARCH_MODES)
      .default("hybrid")
      .openapi({
        description:
          "keyword: Okapi BM25, any term may match, rarer terms weigh more; semantic: cosine " +
          `similarity of embeddings; hybrid: reciprocal rank fusion of both (k = ${RRF_K})`,
      }),
    url_ids: z
      .array(z.uuid())
      .min(1)
      .max(SEARCH_URL_IDS_MAX)
      .optional()
      .openapi({ description: "Only chunks of these urls" }),
    min_score: z
      .number()
      .optional()
      .openapi({
        description:
          "Drop results scoring below this. keyword: BM25, 0 and up; semantic: cosine, -1..1; " +
          `hybrid: RRF, at most ${((RRF_WEIGHTS.keyword + RRF_WEIGHTS.semantic) / (RRF_K + 1)).toFixed(4)}`,
      }),
  })
  .openapi("SearchRequest");

export const SearchResult = z
  .object({
    chunk_id: z.uuid(),
    score: z.number().openapi({ description: "The mode's score (see min_score)" }),
    scores: z
      .object({
        keyword: z.number().nullable(),
        semantic: z.number().nullable(),
        fused: z.number().nullable(),
      })
      .openapi({ description: "Each list's score; null where it lacks the chunk" }),
    ranks: z
      .object({ keyword: z.number().int().nullable(), semantic: z.number().int().nullable() })
      .openapi({ description: "1-based rank in each list; null where absent" }),
    text: z.string().openapi({ description: RAW_TEXT }),
    highlight: z.string().openapi({
      description:
        "HTML: an excerpt of escaped page text with query terms in <b>…</b>, no other markup",
    }),
    heading_path: z.array(z.string()),
    position: z.number().int(),
    url: UrlRef,
  })
  .openapi("SearchResult");

export const SearchResponse = z
  .object({
    results: z.array(SearchResult),
    mode: z.enum(SEARCH_MODES),
    took_ms: z.number().openapi({ description: "Time spent in the database query" }),
  })
  .openapi("SearchResponse");

export type SearchRequest = z.infer<typeof SearchRequest>;
export type SearchResult = z.infer<typeof SearchResult>;
export type SearchResponse = z.infer<typeof SearchResponse>;
