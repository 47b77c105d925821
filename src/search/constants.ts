export const SEARCH_MODES = ["hybrid", "semantic", "keyword"] as const;

export const SEARCH_QUERY_MAX = 1000;
export const SEARCH_TOP_K_MAX = 100;
export const SEARCH_TOP_K_DEFAULT = 10;
export const SEARCH_URL_IDS_MAX = 100;

/**
 * Okapi BM25's term-frequency saturation: a term's second occurrence in a chunk adds less than
 * its first, and no number of repeats is worth more than (k1 + 1) times one occurrence.
 */
export const BM25_K1 = 1.2;
/** Okapi BM25's length normalization: 0 ignores chunk length, 1 divides tf by it fully. */
export const BM25_B = 0.75;

/**
 * Candidates each ranker hands to fusion. At least {@link SEARCH_TOP_K_MAX}, so even the largest
 * page can be filled from either list alone.
 */
export const HYBRID_CANDIDATES = 100;
/**
 * Reciprocal rank fusion: a chunk's fused score is Σ weight / (RRF_K + rank) over the lists that
 * hold it. k and the weights are the best of `npm run bench:retrieval`'s sweep (k 5..100, keyword
 * weight 1..4) on its tuning half; Cormack et al.'s k = 60 with equal weights scored lower on
 * both halves. Small k and a heavier BM25 list reflect the local embedder being the weaker
 * ranker; re-measure with another embedding provider.
 */
export const RRF_K = 5;
/** Per-list weights of the fusion: keyword (BM25) and semantic (the embedder's cosine). */
export const RRF_WEIGHTS = { keyword: 2, semantic: 1 } as const;
/**
 * HNSW candidate list size per search (pgvector's default is 40). At least the hybrid candidate
 * count, so one graph walk usually yields them; iterative scan covers the rest.
 */
export const HNSW_EF_SEARCH = 100;

/** `ts_headline` options: up to two fragments of 15..35 words, matches in `<b>`. */
export const HEADLINE_OPTIONS =
  'StartSel=<b>, StopSel=</b>, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "';
