import type { S3Client } from "../aws/client";
import { currentChunk } from "../chunks/current";
import { type Database, selectRows, sql } from "../database";
import { HEALTH_CHECK_TIMEOUT_MS } from "./constants";
import type { Health, Stats } from "./schemas";

type Check = Health["checks"]["database"];

async function timed(probe: (signal: AbortSignal) => Promise<unknown>): Promise<Check> {
  const started = performance.now();
  const signal = AbortSignal.timeout(HEALTH_CHECK_TIMEOUT_MS);
  const timeout = new Promise<never>((_, reject) =>
    signal.addEventListener("abort", () => reject(new Error("timed out"))),
  );
  try {
    await Promise.race([probe(signal), timeout]);
    return { status: "ok", latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: "error",
      latency_ms: Math.round(performance.now() - started),
      // Names and S3 codes only: driver messages can carry connection details.
      error: error instanceof Error ? `${error.name}: ${error.message.slice(0, 120)}` : "failed",
    };
  }
}

/** Probes the database and the bucket concurrently. */
export async function checkHealth({
  db,
  s3,
  version,
}: {
  db: Database;
  s3: S3Client;
  version: string;
}): Promise<Health> {
  const [database, storage] = await Promise.all([
    timed(() => selectRows(db, sql`select 1`)),
    timed((signal) => s3.headBucket(signal)),
  ]);
  const healthy = database.status === "ok" && storage.status === "ok";
  return { status: healthy ? "ok" : "degraded", checks: { database, storage }, version };
}

/** Platform-wide counts, one statement. */
export async function getStats({ db }: { db: Database }): Promise<Stats> {
  const [row] = await selectRows<{ stats: Stats }>(
    db,
    sql`select json_build_object(
      'users', (select count(*) from users),
      'projects', (select count(*) from projects),
      'urls', (select json_build_object(
        'total', count(*),
        'queued', count(*) filter (where status = 'queued'),
        'fetching', count(*) filter (where status = 'fetching'),
        'processing', count(*) filter (where status = 'processing'),
        'ready', count(*) filter (where status = 'ready'),
        'failed', count(*) filter (where status = 'failed')) from urls),
      'chunks', (select count(*) from chunks c where ${currentChunk("c")}),
      'storage_bytes', (select coalesce(sum(bytes), 0) from urls)
    ) as stats`,
  );
  if (!row) throw new Error("stats query returned no row");
  return row.stats;
}
