import { AppError } from "../exceptions";
import type { EmbeddingProvider } from "./embedders-core";

/** Error code of {@link EmbeddingFailed}. */
export const EMBEDDING_FAILED = "EMBEDDING_FAILED";

/** What clients (and a url's stored error) see: the provider's own text goes to the log only. */
const PUBLIC_DETAIL = "The embedding provider failed.";

/**
 * An embedding provider could not produce vectors (upstream HTTP error, malformed response,
 * network failure); missing configuration is a `ConfigError` from `createEmbedder` instead.
 * `retryable` tells the ingest consumer whether trying again later can help. `message` holds the
 * provider's reason, for logs; `detail` is fixed. Neither contains credentials.
 *
 * @example
 * try { await embedder.embed(texts) } catch (e) { if (e instanceof EmbeddingFailed && e.retryable) msg.retry() }
 */
export class EmbeddingFailed extends AppError {
  readonly provider: EmbeddingProvider;
  readonly upstreamStatus: number | undefined;
  readonly retryable: boolean;

  constructor(
    provider: EmbeddingProvider,
    detail: string,
    options: { upstreamStatus?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(502, EMBEDDING_FAILED, "Embedding failed", PUBLIC_DETAIL);
    this.name = "EmbeddingFailed";
    this.message = detail;
    this.cause = options.cause;
    this.provider = provider;
    this.upstreamStatus = options.upstreamStatus;
    this.retryable = options.retryable ?? false;
  }
}
