import { AsyncLocalStorage } from "node:async_hooks";
import { neon, neonConfig } from "@neondatabase/serverless";
import type { SQL } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { createMiddleware } from "hono/factory";
import { type Env, getConfig } from "./config";
import * as schema from "./models";

export type Database = NeonHttpDatabase<typeof schema>;

interface DatabaseTiming {
  roundTrips: number;
  ms: number;
}

// Every HTTP query goes through this fetch, so per-request time is measured at the one place
// that sees all of them; the request's store is found through async context.
const requestTiming = new AsyncLocalStorage<DatabaseTiming>();
neonConfig.fetchFunction = async (input: RequestInfo | URL, init?: RequestInit) => {
  const started = performance.now();
  try {
    return await fetch(input, init);
  } finally {
    const timing = requestTiming.getStore();
    if (timing) {
      timing.roundTrips += 1;
      timing.ms += performance.now() - started;
    }
  }
};

const databases = new WeakMap<object, Database>();

/**
 * The drizzle database over Neon's HTTP driver, one per `env`.
 *
 * @example
 * const { rows } = await getDb(c.env).execute(sql`select 1 as one`);
 */
export function getDb(env: Env): Database {
  const existing = databases.get(env);
  if (existing) return existing;
  const config = getConfig(env);
  if (config.DATABASE_HTTP_ENDPOINT) {
    const endpoint = config.DATABASE_HTTP_ENDPOINT;
    neonConfig.fetchEndpoint = () => endpoint;
  }
  const db = drizzle({ client: neon(config.DATABASE_URL), schema });
  databases.set(env, db);
  return db;
}

/**
 * Runs one statement and returns its rows, typed by the caller who wrote the SQL.
 *
 * @example
 * const [user] = await selectRows<{ id: string }>(db, sql`select id from users limit 1`);
 */
export async function selectRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  return result.rows as T[];
}

/** Reports the request's database time and round trips in `Server-Timing`. */
export const databaseTiming = createMiddleware(async (c, next) => {
  const timing: DatabaseTiming = { roundTrips: 0, ms: 0 };
  await requestTiming.run(timing, next);
  c.res.headers.append(
    "Server-Timing",
    `db;dur=${timing.ms.toFixed(1)};desc="${timing.roundTrips} round trips"`,
  );
});

/** The SQLSTATE of a Postgres error, whether raised by the driver or wrapped by drizzle. */
export function sqlState(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** The violated constraint's name, for telling unique violations apart. */
export function violatedConstraint(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const constraint = (current as { constraint?: unknown }).constraint;
    if (typeof constraint === "string") return constraint;
  }
  return undefined;
}
