import * as z from "zod";
import { RAW_TEXT } from "../app";
import { ChunkText, HeadingPath, Position, UrlRef } from "../chunks/schemas";
import { CHUNK_SIZE_MAX } from "../projects/constants";
import { EXAMPLE_ID, int32, Uuid } from "../schemas";
import {
  HYBRID_CANDIDATES,
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
    top_k: int32(1, SEARCH_TOP_K_MAX).default(SEARCH_TOP_K_DEFAULT),
    mode: z
      .enum(SEARCH_MODES)
      .default("hybrid")
      .openapi({
        description:
          "keyword: Okapi BM25, any term may match, rarer terms weigh more; semantic: cosine " +
          `similarity of embeddings; hybrid: reciprocal rank fusion of both (k = ${RRF_K})`,
      }),
    url_ids: z
      .array(Uuid)
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
  .openapi("SearchRequest", {
    example: { query: "how do I rotate api keys", top_k: 5, mode: "hybrid" },
  });

const Rank = int32(1, HYBRID_CANDIDATES).nullable();

export const SearchResult = z
  .object({
    chunk_id: Uuid,
    score: z.number().openapi({ description: "The mode's score (see min_score)" }),
    scores: z
      .object({
        keyword: z.number().nullable(),
        semantic: z.number().nullable(),
        fused: z.number().nullable(),
      })
      .openapi({ description: "Each list's score; null where it lacks the chunk" }),
    ranks: z
      .object({ keyword: Rank, semantic: Rank })
      .openapi({ description: "1-based rank in each list; null where absent" }),
    text: ChunkText.openapi({ description: RAW_TEXT }),
    // Escaping turns one character into at most 5 (`&amp;`) and `<b></b>` marks add 7 per word:
    // 8 times the text is a ceiling ts_headline's excerpts stay far below.
    highlight: z
      .string()
      .max(8 * CHUNK_SIZE_MAX)
      .openapi({
        description:
          "HTML: an excerpt of escaped page text with query terms in <b>…</b>, no other markup",
      }),
    heading_path: HeadingPath,
    position: Position,
    url: UrlRef,
  })
  .openapi("SearchResult");

export const SearchResponse = z
  .object({
    results: z.array(SearchResult).max(SEARCH_TOP_K_MAX),
    mode: z.enum(SEARCH_MODES),
    took_ms: z.number().min(0).openapi({ description: "Time spent in the database query" }),
  })
  .openapi("SearchResponse", {
    example: {
      results: [
        {
          chunk_id: EXAMPLE_ID,
          score: 0.82,
          scores: { keyword: 3.1, semantic: 0.82, fused: 0.61 },
          ranks: { keyword: 1, semantic: 1 },
          text: "Open Settings, then API keys, and choose Rotate.",
          highlight: "Open Settings, then API keys, and choose <b>Rotate</b>.",
          heading_path: ["Security", "API keys"],
          position: 3,
          url: { id: EXAMPLE_ID, url: "https://example.com/guide", title: "Guide" },
        },
      ],
      mode: "hybrid",
      took_ms: 4.2,
    },
  });

export type SearchRequest = z.infer<typeof SearchRequest>;
export type SearchResult = z.infer<typeof SearchResult>;
export type SearchResponse = z.infer<typeof SearchResponse>;
