import * as z from "zod";
// A named import, so only the version (not the whole package.json) lands in the bundle.
import { version } from "../package.json";

export const APP_VERSION: string = version;

/** Longest embedding model name a setting may name (responses state this bound). */
export const MODEL_NAME_MAX = 200;

const commaList = z
  .string()
  .default("")
  .transform((value) =>
    value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  );

const quota = (defaultLimit: number) => z.coerce.number().int().min(1).default(defaultLimit);

/** An optional string where `""` (as a blank dashboard field or `.dev.vars` line gives) is unset. */
const optionalText = z.preprocess(
  (value) => (value === "" ? undefined : value),
  z.string().optional(),
);

/**
 * The queue consumer's wall-clock limit (Cloudflare Queues: 15 minutes): an ingest still
 * `fetching` or `processing` after this long was killed.
 */
export const CONSUMER_WALL_SECONDS = 900;

const flag = z.enum(["true", "false"]).transform((value) => value === "true");

/** Every var and secret the Worker reads; bindings are typed in {@link Bindings}. */
const ConfigSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
    /** Local development only: a Neon-protocol endpoint in place of Neon's own. */
    DATABASE_HTTP_ENDPOINT: z.url().optional(),
    JWT_SECRET: z.string().min(32, "must be at least 32 characters"),
    JWT_ISSUER: z.string().min(1),
    JWT_AUDIENCE: z.string().min(1),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    S3_ENDPOINT: z.url(),
    S3_REGION: z.string().min(1),
    S3_BUCKET: z.string().min(1),
    S3_ACCESS_KEY_ID: z.string().min(1),
    S3_SECRET_ACCESS_KEY: z.string().min(1),
    S3_FORCE_PATH_STYLE: flag.default(true),
    CORS_ORIGINS: commaList,
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    ADMIN_EMAILS: commaList.transform((emails) => emails.map((email) => email.toLowerCase())),
    FETCH_ALLOW_HOSTS: z.string().default(""),
    FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    FETCH_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(5 * 1024 * 1024),
    /** Fetches at once per target host across the whole queue (src/ingestion/host-slots.ts). */
    FETCH_HOST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    /** Sent with every page fetch; names the bot and where to read about it. */
    FETCH_USER_AGENT: optionalText.pipe(z.string().min(1).optional()),
    /** Keep equal to `max_retries` of the queue consumer in wrangler.toml. */
    INGEST_MAX_RETRIES: z.coerce.number().int().min(0).max(100).default(4),
    /** First retry delay of a failed ingest; doubles per attempt up to INGEST_RETRY_MAX_SECONDS. */
    INGEST_RETRY_BASE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    INGEST_RETRY_MAX_SECONDS: z.coerce.number().int().min(0).max(43_200).default(900),
    /**
     * A url whose ingest shows no progress for this long was lost (a consumer killed by a CPU or
     * memory limit never reaches its error handler): the cron re-queues it. Must exceed the
     * longest retry delay plus the consumer's wall-clock limit, so a url merely waiting for its
     * retry is never taken for stuck.
     */
    INGEST_STUCK_AFTER_SECONDS: z.coerce.number().int().min(60).max(86_400).default(2400),
    /** Times the cron re-queues a stuck url before failing it with INGEST_TIMEOUT. */
    INGEST_STUCK_MAX_REQUEUES: z.coerce.number().int().min(0).max(10).default(2),
    /**
     * Chunks one url may have; a page that yields more fails with CONTENT_TOO_LARGE. The default
     * fits 5 MiB of text at the default chunk size (1000 characters, 200 overlap: ~6,600 chunks)
     * with room for short sections.
     */
    MAX_CHUNKS_PER_URL: z.coerce.number().int().min(1).max(50_000).default(10_000),
    /** Quotas, one per name in src/limits/constants.ts: past one a write is 409 QUOTA_EXCEEDED. */
    QUOTA_PROJECTS_PER_USER: quota(100),
    QUOTA_API_KEYS_PER_USER: quota(25),
    QUOTA_URLS_PER_PROJECT: quota(10_000),
    QUOTA_LINKS_PER_PROJECT: quota(25),
    QUOTA_CHUNKS_PER_PROJECT: quota(500_000),
    /** Each event costs one delivery (and its retries) per endpoint. */
    QUOTA_WEBHOOKS_PER_PROJECT: quota(10),
    /** First retry of a failed webhook delivery; doubles per attempt (capped at 12 h, the queue's most). */
    WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /** A delivery is retried until this long after its event, then marked failed. */
    WEBHOOK_RETRY_WINDOW_HOURS: z.coerce.number().int().min(1).max(168).default(24),
    /** An endpoint whose every attempt failed for this long is disabled. */
    WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().int().min(1).max(720).default(120),
    EMBEDDING_PROVIDER: z.enum(["local", "workers-ai", "openai"]).default("local"),
    OPENAI_BASE_URL: optionalText.pipe(z.url().optional()),
    OPENAI_API_KEY: optionalText,
    OPENAI_EMBEDDING_MODEL: optionalText.pipe(z.string().min(1).max(MODEL_NAME_MAX).optional()),
  })
  .superRefine((config, context) => {
    const busiest = config.INGEST_RETRY_MAX_SECONDS + CONSUMER_WALL_SECONDS;
    if (config.INGEST_STUCK_AFTER_SECONDS <= busiest) {
      context.addIssue({
        code: "custom",
        path: ["INGEST_STUCK_AFTER_SECONDS"],
        message: `must exceed INGEST_RETRY_MAX_SECONDS + ${CONSUMER_WALL_SECONDS} s of consumer wall time (${busiest})`,
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Bindings declared in wrangler.toml, besides plain vars. */
export interface Bindings {
  INGEST_QUEUE: Queue<unknown>;
  AUTH_RATE_LIMITER?: RateLimit;
  /** Anonymous public-link search, per client IP: each may cost a paid embedding call. */
  PUBLIC_RATE_LIMITER?: RateLimit;
  AI?: Ai;
}

/** What the Worker receives as `env`: bindings plus string vars and secrets. */
export type Env = Bindings & Record<string, unknown>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

const cache = new WeakMap<object, Config>();

/**
 * The validated settings, parsed once per `env` object.
 *
 * @example
 * const { JWT_ISSUER } = getConfig(c.env);
 */
export function getConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".")}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
