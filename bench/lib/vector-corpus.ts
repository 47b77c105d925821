/**
 * A synthetic, topic-structured corpus for the vector-search benchmark: texts that look like
 * ~1 KB page chunks to the local embedder (shared background vocabulary, per-topic vocabulary
 * with Zipf-like frequencies, projects that focus on a few topics), generated from a seed so that
 * runs are comparable.
 */

const SYLLABLES = (
  "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu " +
  "pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu"
).split(" ");

export const VOCABULARY_SIZE = 8000;
export const TOPICS = 200;
export const TOPIC_WORDS = 150;
export const PROJECTS = 50;
export const TOPICS_PER_PROJECT = 4;

/** mulberry32: a tiny seeded PRNG, so the corpus is identical on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An index in [0, n) with probability roughly proportional to 1 / (rank + 1). */
function zipf(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(random() * Math.log(n + 1)) - 1));
}

export interface Corpus {
  vocabulary: string[];
  topics: number[][];
  projectTopics: number[][];
  random: () => number;
}

/**
 * Builds the vocabulary, the topics (sets of word indices) and each project's topics.
 *
 * @example
 * const corpus = createCorpus(42); const t = chunkText(corpus, 7, 150);
 */
export function createCorpus(seed: number): Corpus {
  const random = rng(seed);
  const seen = new Set<string>();
  const vocabulary: string[] = [];
  while (vocabulary.length < VOCABULARY_SIZE) {
    const parts = 2 + Math.floor(random() * 3);
    let word = "";
    for (let i = 0; i < parts; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!seen.has(word)) {
      seen.add(word);
      vocabulary.push(word);
    }
  }
  const topics = Array.from({ length: TOPICS }, () =>
    Array.from({ length: TOPIC_WORDS }, () => Math.floor(random() * VOCABULARY_SIZE)),
  );
  const projectTopics = Array.from({ length: PROJECTS }, () =>
    Array.from({ length: TOPICS_PER_PROJECT }, () => Math.floor(random() * TOPICS)),
  );
  return { vocabulary, topics, projectTopics, random };
}

/**
 * A text of `words` words: 55% from its topic, 10% from a second random topic, the rest from
 * the whole vocabulary (the "general language" every chunk shares).
 */
export function chunkText(corpus: Corpus, topic: number, words: number): string {
  const { random, vocabulary, topics } = corpus;
  const main = topics[topic] as number[];
  const side = topics[Math.floor(random() * TOPICS)] as number[];
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const r = random();
    const source = r < 0.55 ? main : r < 0.65 ? side : null;
    const index = source
      ? (source[zipf(random, source.length)] as number)
      : zipf(random, VOCABULARY_SIZE);
    out.push(vocabulary[index] as string);
  }
  return out.join(" ");
}

/** A project and one of its topics, as a chunk of that project would have. */
export function pickProjectTopic(corpus: Corpus): { project: number; topic: number } {
  const project = Math.floor(corpus.random() * PROJECTS);
  const topics = corpus.projectTopics[project] as number[];
  return { project, topic: topics[Math.floor(corpus.random() * topics.length)] as number };
}

export const LATENT_DIMENSIONS = 48;

/** A standard normal sample (Box–Muller) from the corpus's seeded generator. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface LatentSpace {
  centroids: number[][];
  projection: number[][];
}

/**
 * Topic centroids in a 48-d latent space and a fixed random projection to 384-d: the geometry of
 * a learned embedding model (clustered, with low intrinsic dimension), unlike feature hashing.
 */
export function createLatentSpace(corpus: Corpus, dims: number): LatentSpace {
  const { random } = corpus;
  const centroids = Array.from({ length: TOPICS }, () =>
    Array.from({ length: LATENT_DIMENSIONS }, () => gaussian(random)),
  );
  const projection = Array.from({ length: LATENT_DIMENSIONS }, () =>
    Array.from({ length: dims }, () => gaussian(random)),
  );
  return { centroids, projection };
}

/**
 * A vector of `topic`: centroid + latent noise (`spread`), projected, plus a little isotropic
 * noise in the full space; not normalized (the caller's embedder contract does that).
 */
export function latentVector(
  corpus: Corpus,
  space: LatentSpace,
  topic: number,
  spread: number,
): number[] {
  const { random } = corpus;
  const centroid = space.centroids[topic] as number[];
  const dims = (space.projection[0] as number[]).length;
  const out = Array.from({ length: dims }, () => 0.3 * gaussian(random));
  for (let j = 0; j < LATENT_DIMENSIONS; j++) {
    const z = (centroid[j] as number) + spread * gaussian(random);
    const row = space.projection[j] as number[];
    for (let i = 0; i < dims; i++) out[i] = (out[i] as number) + z * (row[i] as number);
  }
  return out;
}
