import { stemmer } from "stemmer";
import { EMBEDDING_DIMENSIONS, type Embedder, l2Normalize } from "./embedders-core";

/** Changing tokenization, hashing or weighting changes every vector: bump the version then. */
export const LOCAL_MODEL = "local-hash-384-v2";

/**
 * Character 4-grams of each word (with `<`, `>` marking its ends) share features between forms
 * a stemmer does not merge (`classification`, `classifying`). Chosen with `npm run
 * bench:retrieval`'s tuning half: 4-grams at 0.3 beat 3- and 5-grams and larger weights, and
 * word bigrams (v1 had them at 0.5) lowered nDCG@10, so v2 has none.
 */
const NGRAM = 4;
const NGRAM_WEIGHT = 0.3;

// Han, Hiragana and Katakana are written without spaces, so each character is a token and the
// bigram features over adjacent characters carry the words; other scripts split on non-letters.
const TOKEN_RE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[[\p{L}\p{M}\p{N}]--[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]]+/gv;

// Without corpus statistics (no idf) the most frequent English words would dominate every
// vector, so they are dropped.
const STOP_WORDS = new Set(
  (
    "a about above after again all also am an and any are as at be because been before being " +
    "below between both but by can could did do does doing down during each few for from " +
    "further had has have having he her here hers herself him himself his how i if in into is " +
    "it its itself just me more most my myself no nor not now of off on once only or other our " +
    "ours ourselves out over own same she should so some such than that the their theirs them " +
    "themselves then there these they this those through to too under until up very was we " +
    "were what when where which while who whom why will with would you your yours yourself"
  ).split(" "),
);

/** FNV-1a over UTF-16 code units: no encoding step, and stable across runtimes. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finalizer: spreads FNV's weak low bits before taking a bucket. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Lowercased, NFKC-folded word tokens with stop words and single letters dropped, Porter-stemmed
 * (the `stemmer` package, 0.8 KB gzip); if nothing is left (a text of stop words only), the raw
 * tokens are kept.
 *
 * @example
 * tokenize("The Cats sat on mats") // ["cat", "sat", "mat"]
 */
export function tokenize(text: string): string[] {
  const raw = text.normalize("NFKC").toLowerCase().match(TOKEN_RE) ?? [];
  const out: string[] = [];
  for (const t of raw) {
    if (STOP_WORDS.has(t)) continue;
    // A lone Latin letter or digit carries no topic; a lone CJK character does.
    if (t.length === 1 && t.charCodeAt(0) < 0x2e80) continue;
    out.push(stemmer(t));
  }
  return out.length > 0 ? out : raw;
}

function addFeatures(counts: Map<number, number>, key: number): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function accumulate(vec: Float64Array, counts: Map<number, number>, weight: number): void {
  for (const [key, tf] of counts) {
    const bucket = fmix32(key) % EMBEDDING_DIMENSIONS;
    // The sign comes from an independent hash so that colliding features cancel on average
    // instead of always adding up (the "hashing trick" of Weinberger et al.).
    const sign = fmix32(key ^ 0x9e3779b9) & 1 ? 1 : -1;
    vec[bucket] = (vec[bucket] as number) + sign * weight * (1 + Math.log(tf));
  }
}

/**
 * Embeds one text by signed feature hashing of stemmed words and their character 4-grams, with
 * sublinear term frequency (1 + ln tf), L2-normalized. Deterministic: same text, same vector,
 * everywhere.
 *
 * @example
 * hashEmbed("vector search with pgvector").length // 384
 */
export function hashEmbed(text: string): number[] {
  const tokens = tokenize(text);
  const words = new Map<number, number>();
  const grams = new Map<number, number>();
  for (const token of tokens) {
    addFeatures(words, fnv1a(token));
    const marked = `<${token}>`;
    // A prefix no word hash can have keeps n-gram features apart from word features.
    for (let i = 0; i + NGRAM <= marked.length; i++) {
      addFeatures(grams, fnv1a(`#${marked.slice(i, i + NGRAM)}`));
    }
  }
  // An empty text still gets a unit vector (a fixed one) so every stored vector is comparable.
  if (words.size === 0) addFeatures(words, fnv1a("\u0000empty"));
  const vec = new Float64Array(EMBEDDING_DIMENSIONS);
  accumulate(vec, words, 1);
  accumulate(vec, grams, NGRAM_WEIGHT);
  for (let i = 0; i < vec.length; i++) if (vec[i] !== 0) return l2Normalize(vec);
  // Every feature cancelled out by sign (vanishingly rare): fall back to unsigned buckets.
  for (const [key] of words) vec[fmix32(key) % EMBEDDING_DIMENSIONS] = 1;
  return l2Normalize(vec);
}

/**
 * The default provider: no network, no account, fast enough for the ingest path.
 *
 * @example
 * const [v] = await createLocalEmbedder().embed(["hello world"]);
 */
export function createLocalEmbedder(): Embedder {
  return {
    provider: "local",
    model: LOCAL_MODEL,
    dimensions: EMBEDDING_DIMENSIONS,
    embed: async (texts) => texts.map(hashEmbed),
  };
}
