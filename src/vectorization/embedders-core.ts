/** Every provider is configured for 384 dimensions so the `vector(384)` column fits them all. */
export const EMBEDDING_DIMENSIONS = 384;

export type EmbeddingProvider = "local" | "workers-ai" | "openai";

/** A text embedding model behind one interface; vectors are L2-normalized. */
export interface Embedder {
  provider: EmbeddingProvider;
  /** Recorded with each chunk: a chunk is re-embedded only when its text or this model changes. */
  model: string;
  dimensions: typeof EMBEDDING_DIMENSIONS;
  /** One vector per text, in order; providers split the texts into batches themselves. */
  embed(texts: string[]): Promise<number[][]>;
}

/**
 * Scales a vector to unit length in place and returns it as a plain array.
 * A zero vector has no direction, so it is an error rather than a silent NaN.
 *
 * @example
 * l2Normalize([3, 4]) // [0.6, 0.8]
 */
export function l2Normalize(v: ArrayLike<number>): number[] {
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    sum += x * x;
  }
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) {
    throw new RangeError("cannot normalize a zero or non-finite vector");
  }
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / norm;
  return out;
}

/**
 * Splits `items` into consecutive batches of at most `size`.
 *
 * @example
 * chunked([1, 2, 3], 2) // [[1, 2], [3]]
 */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Formats a vector as pgvector's text input, e.g. for a `$1::vector` parameter. Seven
 * significant digits are what `real` (float4) keeps anyway, and they halve the payload.
 *
 * @example
 * toVectorLiteral([0.5, -0.25]) // "[0.5,-0.25]"
 */
export function toVectorLiteral(v: number[]): string {
  const parts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    if (!Number.isFinite(x)) throw new RangeError(`vector element ${i} is not finite`);
    parts[i] = String(Number(x.toPrecision(7)));
  }
  return `[${parts.join(",")}]`;
}
