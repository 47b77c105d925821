/** Latency percentiles and recall for the vector-search benchmark. */

/**
 * The p-th percentile (nearest rank) of `samples`.
 *
 * @example
 * percentile([3, 1, 2], 50) // 2
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/**
 * Mean over queries of |found ∩ truth| / |truth|: recall@k when each truth list has k ids.
 *
 * @example
 * meanRecall([[1, 2]], [[2, 3]]) // 0.5
 */
export function meanRecall(truth: readonly number[][], found: readonly number[][]): number {
  let sum = 0;
  truth.forEach((expected, i) => {
    const got = new Set(found[i] ?? []);
    const hits = expected.filter((id) => got.has(id)).length;
    sum += expected.length === 0 ? 1 : hits / expected.length;
  });
  return truth.length === 0 ? Number.NaN : sum / truth.length;
}

/**
 * Mean over queries of Σ(1 − d) of the results found / Σ(1 − d) of the true top k, for cosine
 * distances d: 1.0 means the approximate results are as similar to the query as the exact ones,
 * which tells a miss among near-ties (harmless) from a miss of a clearly better match.
 *
 * @example
 * similarityRatio([[0.1, 0.2]], [[0.1, 0.3]]) // 1.6 / 1.7 ≈ 0.941
 */
export function similarityRatio(truth: readonly number[][], found: readonly number[][]): number {
  const sim = (ds: readonly number[]) => ds.reduce((s, d) => s + (1 - d), 0);
  let sum = 0;
  truth.forEach((expected, i) => {
    const best = sim(expected);
    sum += best === 0 ? 1 : sim(found[i] ?? []) / best;
  });
  return truth.length === 0 ? Number.NaN : sum / truth.length;
}

/** Formats milliseconds for the report: two decimals below 10 ms, one above. */
export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}
