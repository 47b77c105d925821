import * as z from "zod";
import { RAW_TEXT } from "../app";
import { UrlRef } from "../chunks/schemas";
import {
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
          "keyword: full-text rank (ts_rank_cd, normalized to 0..1); semantic: cosine similarity " +
          "(1 − distance); hybrid: reciprocal rank fusion (k = 60) of both",
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
      .openapi({ description: "Drop results scoring below this (the scale depends on mode)" }),
  })
  .openapi("SearchRequest");

export const SearchResult = z
  .object({
    chunk_id: z.uuid(),
    score: z.number(),
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
