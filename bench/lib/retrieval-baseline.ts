import MiniSearch from "minisearch";
import { stemmer } from "stemmer";
import type { Doc } from "./retrieval-collection";

// The SMART-derived list most BM25 setups use for English, short form.
const STOP_WORDS = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being " +
    "below between both but by can could did do does doing down during each few for from " +
    "further had has have having he her here hers herself him himself his how i if in into is " +
    "it its itself me more most my myself no nor not of off on once only or other ought our " +
    "ours ourselves out over own same she should so some such than that the their theirs them " +
    "themselves then there these they this those through to too under until up very was we " +
    "were what when where which while who whom why with would you your yours yourself yourselves"
  ).split(" "),
);

/**
 * The in-process baseline: MiniSearch's BM25 (its defaults, k1 = 1.2, b = 0.7) over title and
 * abstract as one field, terms lowercased, stop words dropped, Porter-stemmed; any term matches.
 *
 * @example
 * const ranked = bm25Baseline(docs).search("information retrieval", 100); // doc ids
 */
export function bm25Baseline(docs: readonly Doc[]) {
  const index = new MiniSearch<{ id: number; text: string }>({
    fields: ["text"],
    processTerm: (term) => {
      const t = term.toLowerCase();
      return STOP_WORDS.has(t) ? null : stemmer(t);
    },
  });
  index.addAll(docs.map((d) => ({ id: d.id, text: `${d.title}\n${d.text}` })));
  return {
    search: (query: string, depth: number): number[] =>
      index
        .search(query, { combineWith: "OR" })
        .slice(0, depth)
        .map((r) => r.id as number),
  };
}
