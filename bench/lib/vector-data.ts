/** Where the benchmark's vectors come from: the local embedder over texts, or a latent model. */
import { EMBEDDING_DIMENSIONS, l2Normalize } from "../../src/vectorization/embedders-core";
import { createLocalEmbedder } from "../../src/vectorization/embedders-local";
import {
  type Corpus,
  chunkText,
  createLatentSpace,
  LATENT_DIMENSIONS,
  latentVector,
  TOPICS,
  VOCABULARY_SIZE,
} from "./vector-corpus";

const WORDS_PER_CHUNK = 150; // ≈ 1 KB of text, the size the chunker produces
const WORDS_PER_QUERY = 12;

export interface VectorSource {
  description: string;
  /** What `chunks` spends its time on, for the report. */
  work: string;
  chunks(topics: number[]): Promise<number[][]>;
  queries(topics: number[]): Promise<number[][]>;
}

/**
 * `texts`: the local feature-hashing embedder over synthetic ~1 KB texts (what the local stack
 * stores); `latent`: clustered vectors of low intrinsic dimension, shaped like a learned model's.
 *
 * @example
 * const source = createVectorSource("texts", createCorpus(42));
 */
export function createVectorSource(kind: "texts" | "latent", corpus: Corpus): VectorSource {
  if (kind === "texts") {
    const embedder = createLocalEmbedder();
    return {
      description:
        `local feature-hashing embedder over synthetic ${WORDS_PER_CHUNK}-word (~1 KB) texts` +
        ` (${TOPICS} topics over a ${VOCABULARY_SIZE}-word vocabulary); queries are` +
        ` ${WORDS_PER_QUERY}-word texts`,
      work: "local embedder (1 KB texts)",
      chunks: (topics) => embedder.embed(topics.map((t) => chunkText(corpus, t, WORDS_PER_CHUNK))),
      queries: (topics) => embedder.embed(topics.map((t) => chunkText(corpus, t, WORDS_PER_QUERY))),
    };
  }
  const space = createLatentSpace(corpus, EMBEDDING_DIMENSIONS);
  const generate = async (topics: number[]) =>
    topics.map((t) => l2Normalize(latentVector(corpus, space, t, 1)));
  return {
    description:
      `${TOPICS} gaussian clusters in a ${LATENT_DIMENSIONS}-d latent space, randomly projected` +
      " to 384-d with isotropic noise; queries drawn like chunks",
    work: "latent generator",
    chunks: generate,
    queries: generate,
  };
}
