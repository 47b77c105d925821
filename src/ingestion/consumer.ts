import { S3Error } from "../aws/client";
import * as awsService from "../aws/service";
import { type Config, type Env, getConfig } from "../config";
import { getDb } from "../database";
import { redact } from "../exceptions";
import { quotaLimits } from "../limits/quotas";
import { fetchSettings } from "../urls/config";
import { UrlErrorCode } from "../urls/constants";
import { EMBEDDING_FAILED, EmbeddingFailed } from "../vectorization/embedders";
import * as vectorizationService from "../vectorization/service";
import * as webhooksDelivery from "../webhooks/delivery";
import * as webhooksOutbox from "../webhooks/outbox";
import { MAX_HOST_BACKOFF_SECONDS } from "./host-slots";
import { enqueueIngest, QueueMessage } from "./messages";
import { type IngestDeps, ingestUrl } from "./pipeline";
import * as snapshots from "./snapshots";
import { markFailure } from "./store";

/**
 * The Worker's `queue` handler for INGEST_QUEUE. Messages of a batch run concurrently and each
 * is acked or retried on its own. A page that fails for good is recorded on its url and acked;
 * a message is left to retry (and finally to the dead-letter queue) only when even recording
 * the failure did not work. A `webhook` message makes one attempt of a delivery and is acked;
 * the next attempt, if any, is a new delayed message (the queue's own retries stop far short of
 * the day a delivery is retried for).
 *
 * @example
 * export default { fetch: app.fetch, queue: consumeQueue } satisfies ExportedHandler<Env>;
 */
export async function consumeQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const config = getConfig(env);
  await Promise.all(batch.messages.map((message) => handle(message, env, config)));
}

async function handle(message: Message<unknown>, env: Env, config: Config): Promise<void> {
  const parsed = QueueMessage.safeParse(message.body);
  if (!parsed.success) {
    log("warn", "unknown queue message dropped", { id: message.id });
    message.ack();
    return;
  }
  const body = parsed.data;
  try {
    if (body.kind === "ingest") await ingest(message, body.urlId, env, config);
    else if (body.kind === "delete-prefix") {
      await awsService.getS3(env).deletePrefix(body.prefix);
      if (body.deletionId) await snapshots.completeDeletion(getDb(env), body.deletionId);
      message.ack();
    } else if (body.kind === "webhook") {
      const retryIn = await webhooksDelivery.deliver({
        db: getDb(env),
        config,
        allowHosts: fetchSettings(config).allowHosts,
        deliveryId: body.deliveryId,
      });
      if (retryIn !== null) {
        await webhooksOutbox.sendDeliveries(env.INGEST_QUEUE, [body.deliveryId], retryIn);
      }
      message.ack();
    } else {
      await vectorizationService.reembedProject({
        db: getDb(env),
        env,
        config,
        projectId: body.projectId,
      });
      message.ack();
    }
  } catch (error) {
    log("error", `${body.kind} failed, will retry`, { id: message.id, error: describe(error) });
    message.retry({ delaySeconds: backoff(message.attempts, config) });
  }
}

async function ingest(message: Message<unknown>, urlId: string, env: Env, config: Config) {
  const db = getDb(env);
  const deps: IngestDeps = {
    db,
    s3: awsService.getS3(env),
    embedder: vectorizationService.getEmbedder(env, config),
    fetch: fetchSettings(config),
    maxChunks: config.MAX_CHUNKS_PER_URL,
    chunkQuota: quotaLimits(config).chunks_per_project,
  };
  const final = message.attempts > config.INGEST_MAX_RETRIES;
  let failure: {
    code: string;
    message: string;
    status: number | null;
    retryable: boolean;
    retryAfterSeconds?: number;
  };
  try {
    const result = await ingestUrl(deps, urlId);
    if (result.kind === "deferred") {
      // The host had no free fetch slot: a fresh message later, so waiting costs no attempt.
      await enqueueIngest(env.INGEST_QUEUE, [urlId], result.delaySeconds);
      message.ack();
      return;
    }
    if (result.kind !== "failed") {
      if (result.kind === "ready") {
        await webhooksOutbox.sendDeliveries(env.INGEST_QUEUE, result.deliveries);
      }
      message.ack();
      return;
    }
    failure = result;
  } catch (error) {
    failure = classify(error);
  }
  // Throws (and so retries the message) only when the database itself is out of reach.
  const deliveries = await markFailure(db, urlId, {
    ...failure,
    final: final || !failure.retryable,
  });
  await webhooksOutbox.sendDeliveries(env.INGEST_QUEUE, deliveries);
  if (final || !failure.retryable) message.ack();
  else {
    const delay = Math.max(backoff(message.attempts, config), failure.retryAfterSeconds ?? 0);
    message.retry({ delaySeconds: Math.min(delay, MAX_HOST_BACKOFF_SECONDS) });
  }
}

// How the Neon driver reports the proxy's 413 (`Server error (HTTP status 413): …`).
const REQUEST_TOO_LARGE = /\(HTTP status 413\)/;

/** Our own dependencies failing: retryable, except an embedder that says trying again won't help. */
function classify(error: unknown) {
  if (error instanceof EmbeddingFailed) {
    return {
      code: EMBEDDING_FAILED,
      message: error.detail,
      status: null,
      retryable: error.retryable,
    };
  }
  if (error instanceof Error && REQUEST_TOO_LARGE.test(error.message)) {
    // Neon refuses requests over 10 MiB; the same page would be refused again.
    log("error", "database request too large", { error: describe(error) });
    const message = "the page could not be stored: a write exceeded the database's size limit";
    return { code: UrlErrorCode.CONTENT_TOO_LARGE, message, status: null, retryable: false };
  }
  if (error instanceof S3Error) {
    return {
      code: UrlErrorCode.STORAGE_FAILED,
      message: error.message,
      status: null,
      retryable: true,
    };
  }
  // Stored on the url, so clients see it: details (maybe SQL) stay in the log.
  log("error", "ingest step failed", { error: describe(error) });
  const message = "an internal error interrupted indexing";
  return { code: UrlErrorCode.INGEST_FAILED, message, status: null, retryable: true };
}

/**
 * Exponential backoff: base, 2×base, 4×base… capped.
 *
 * @example
 * backoff(3, config); // 120 with the default 30 s base
 */
export function backoff(attempts: number, config: Config): number {
  const delay = config.INGEST_RETRY_BASE_SECONDS * 2 ** Math.max(0, attempts - 1);
  return Math.min(delay, config.INGEST_RETRY_MAX_SECONDS);
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redact(text.split("\nparams:")[0] ?? text).slice(0, 500);
}

function log(level: "warn" | "error", message: string, fields: Record<string, unknown>) {
  console[level](JSON.stringify({ level, message, ...fields }));
}
