/** Document ids, best first. */
export type Ranking = number[];

export interface Scores {
  ndcg10: number;
  map100: number;
  recall50: number;
}

/** nDCG@10 with binary gains. */
function ndcg10(ranking: Ranking, relevant: Set<number>): number {
  let dcg = 0;
  for (const [i, doc] of ranking.slice(0, 10).entries()) {
    if (relevant.has(doc)) dcg += 1 / Math.log2(i + 2);
  }
  let ideal = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return ideal > 0 ? dcg / ideal : 0;
}

/** Average precision over the first 100, divided by every relevant document (as trec_eval). */
function ap100(ranking: Ranking, relevant: Set<number>): number {
  let hits = 0;
  let sum = 0;
  for (const [i, doc] of ranking.slice(0, 100).entries()) {
    if (!relevant.has(doc)) continue;
    hits++;
    sum += hits / (i + 1);
  }
  return relevant.size > 0 ? sum / relevant.size : 0;
}

function recall50(ranking: Ranking, relevant: Set<number>): number {
  const found = ranking.slice(0, 50).filter((doc) => relevant.has(doc)).length;
  return relevant.size > 0 ? found / relevant.size : 0;
}

/**
 * Mean nDCG@10, MAP@100 and recall@50 of `run` over `queries`.
 *
 * @example
 * scoreRuns(new Map([[1, [28, 35]]]), [{ id: 1 }], new Map([[1, new Set([35])]]));
 */
export function scoreRuns(
  run: Map<number, Ranking>,
  queries: readonly { id: number }[],
  judgements: Map<number, Set<number>>,
): Scores {
  const total = { ndcg10: 0, map100: 0, recall50: 0 };
  for (const q of queries) {
    const ranking = run.get(q.id) ?? [];
    const relevant = judgements.get(q.id) ?? new Set<number>();
    total.ndcg10 += ndcg10(ranking, relevant);
    total.map100 += ap100(ranking, relevant);
    total.recall50 += recall50(ranking, relevant);
  }
  const n = Math.max(1, queries.length);
  return { ndcg10: total.ndcg10 / n, map100: total.map100 / n, recall50: total.recall50 / n };
}
