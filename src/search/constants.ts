export const SEARCH_MODES = ["hybrid", "semantic", "keyword"] as const;

export const SEARCH_QUERY_MAX = 1000;
export const SEARCH_TOP_K_MAX = 50;
export const SEARCH_TOP_K_DEFAULT = 10;
export const SEARCH_URL_IDS_MAX = 100;

/**
 * Candidates each ranker hands to reciprocal rank fusion. At least {@link SEARCH_TOP_K_MAX}, so
 * even the largest page can be filled from either list alone.
 */
export const HYBRID_CANDIDATES = 50;
/** RRF's damping constant from Cormack et al. (2009): high ranks count, but not overwhelmingly. */
export const RRF_K = 60;
/**
 * HNSW candidate list size per search (pgvector's default is 40). Larger than any top_k or the
 * hybrid candidate count, so one graph walk usually yields them; iterative scan covers the rest.
 */
export const HNSW_EF_SEARCH = 100;

/** `ts_headline` options: up to two fragments of 15..35 words, matches in `<b>`. */
export const HEADLINE_OPTIONS =
  'StartSel=<b>, StopSel=</b>, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "';
