import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import { migrate } from "drizzle-orm/neon-http/migrator";
import { type LocalDb, startLocalDb } from "./local-db/server";
import { type LocalS3, startLocalS3 } from "./local-s3/server";

/** The connection string the Worker sends; the local endpoint ignores its credentials. */
export const LOCAL_DATABASE_URL = "postgresql://linkbase:linkbase@localhost/linkbase";
const S3_CREDENTIALS = { accessKeyId: "linkbase-local", secretAccessKey: "linkbase-local-secret" };
export const MIGRATIONS_FOLDER = join(import.meta.dirname, "..", "migrations");

export interface LocalStackOptions {
  /** Where data persists; undefined keeps the database in memory and S3 in a temp folder. */
  dataDir?: string;
  dbPort?: number;
  s3Port?: number;
  /** Front a real Postgres server instead of PGlite. */
  pgUrl?: string;
}

export interface LocalStack {
  db: LocalDb;
  s3: LocalS3;
  /** Vars that point a Worker at this stack. */
  workerVars: Record<string, string>;
  close(): Promise<void>;
}

/** Applies `migrations/` through the same HTTP driver path the Worker uses. */
export async function applyMigrations(databaseUrl: string, fetchEndpoint?: string): Promise<void> {
  if (fetchEndpoint) neonConfig.fetchEndpoint = () => fetchEndpoint;
  await migrate(drizzle({ client: neon(databaseUrl) }), { migrationsFolder: MIGRATIONS_FOLDER });
}

async function devJwtSecret(dataDir: string | undefined): Promise<string> {
  if (!dataDir) return randomBytes(32).toString("hex");
  // Kept on disk so access tokens survive a restart of `npm run dev`.
  const path = join(dataDir, "jwt-secret");
  const existing = await readFile(path, "utf8").catch(() => "");
  if (existing.trim().length >= 32) return existing.trim();
  const secret = randomBytes(32).toString("hex");
  await writeFile(path, secret, { mode: 0o600 });
  return secret;
}

/**
 * Starts the Neon-protocol database endpoint and the S3 server, applies migrations, and returns
 * the Worker vars that reach them.
 *
 * @example
 * const stack = await startLocalStack({ dataDir: ".data", dbPort: 4444, s3Port: 4569 });
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const { dataDir } = options;
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const s3Dir = dataDir ? join(dataDir, "s3") : await mkdtemp(join(tmpdir(), "linkbase-s3-"));
  const db = await startLocalDb({
    port: options.dbPort ?? 0,
    dataDir: dataDir && !options.pgUrl ? join(dataDir, "pglite") : undefined,
    pgUrl: options.pgUrl,
  });
  const s3 = await startLocalS3({
    port: options.s3Port ?? 0,
    dataDir: s3Dir,
    bucket: "linkbase",
    region: "us-east-1",
    ...S3_CREDENTIALS,
  });
  try {
    await applyMigrations(LOCAL_DATABASE_URL, db.url);
  } catch (error) {
    await Promise.allSettled([db.close(), s3.close()]);
    throw error;
  }
  const workerVars: Record<string, string> = {
    DATABASE_URL: LOCAL_DATABASE_URL,
    DATABASE_HTTP_ENDPOINT: db.url,
    JWT_SECRET: await devJwtSecret(dataDir),
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
    CORS_ORIGINS: "*",
  };
  return {
    db,
    s3,
    workerVars,
    async close() {
      await Promise.allSettled([db.close(), s3.close()]);
      if (!dataDir) await rm(s3Dir, { recursive: true, force: true });
    },
  };
}
