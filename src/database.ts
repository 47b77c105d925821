import type { AsyncLocalStorage } from "node:async_hooks";
import { createMiddleware } from "hono/factory";
import { type Env, getConfig } from "./config";
import { NeonHttp } from "./neon-http";

/** A composable SQL statement or fragment; values become `$n` parameters. */
export class SQL {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

class RawSql {
  constructor(readonly text: string) {}
}

/**
 * Builds parameterized SQL from a template; nested `sql` fragments are spliced in and numbered
 * at compile time. (drizzle's tag did this too, but its runtime cost a sixth of the bundle while
 * services only ever write SQL; drizzle-kit still owns the schema and migrations.)
 *
 * @example
 * const mine = sql`owner_id = ${userId}`;
 * await selectRows(db, sql`select id from projects where ${mine} limit ${10}`);
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SQL {
  return new SQL(strings, values);
}

/** Trusted SQL text (identifiers, aliases) spliced in verbatim. Never user input. */
sql.raw = (text: string): SQL => new SQL([""], [new RawSql(text)]);

/** Fragments joined by a separator. */
sql.join = (parts: readonly SQL[], separator: SQL): SQL => {
  const values = parts.flatMap((part, index) => (index === 0 ? [part] : [separator, part]));
  return new SQL(Array<string>(values.length + 1).fill(""), values);
};

/** Compiles a statement to `$n` placeholders and their parameters. */
export function compile(statement: SQL, into = { text: "", params: [] as unknown[] }) {
  statement.strings.forEach((text, index) => {
    into.text += text;
    if (index >= statement.values.length) return;
    const value = statement.values[index];
    if (value instanceof SQL) compile(value, into);
    else if (value instanceof RawSql) into.text += value.text;
    else {
      into.params.push(value);
      into.text += `$${into.params.length}`;
    }
  });
  return into;
}

interface DatabaseTiming {
  roundTrips: number;
  ms: number;
}

// Every HTTP query goes through this fetch, so per-request time is measured at the one place
// that sees all of them; the request's store is found through async context. Created by the
// first request: a static import of node:async_hooks would load it at startup.
let requestTiming: AsyncLocalStorage<DatabaseTiming> | undefined;
async function timedFetch(input: RequestInfo | URL, init?: RequestInit) {
  const started = performance.now();
  try {
    return await fetch(input, init);
  } finally {
    const timing = requestTiming?.getStore();
    if (timing) {
      timing.roundTrips += 1;
      timing.ms += performance.now() - started;
    }
  }
}

/** A database of one `env`: Neon's SQL over HTTP, each call one round trip. */
export type Database = NeonHttp;

const databases = new WeakMap<object, Database>();

/**
 * The database for this `env`, pointed at the local endpoint when one is configured.
 *
 * @example
 * const rows = await selectRows<{ one: number }>(getDb(c.env), sql`select 1 as one`);
 */
export function getDb(env: Env): Database {
  const existing = databases.get(env);
  if (existing) return existing;
  const config = getConfig(env);
  const db = new NeonHttp(config.DATABASE_URL, {
    endpoint: config.DATABASE_HTTP_ENDPOINT,
    fetch: timedFetch,
  });
  databases.set(env, db);
  return db;
}

/**
 * Runs one statement (one round trip) and returns its rows, typed by the caller who wrote it.
 *
 * @example
 * const [user] = await selectRows<{ id: string }>(db, sql`select id from users limit 1`);
 */
export async function selectRows<T>(db: Database, statement: SQL): Promise<T[]> {
  const { text, params } = compile(statement);
  return (await db.query(text, params)) as T[];
}

/**
 * Runs statements as one transaction in one round trip (Neon's non-interactive batch): all
 * commit or none do. Returns each statement's rows.
 */
export async function transaction(db: Database, statements: SQL[]): Promise<unknown[][]> {
  return db.transaction(statements.map((statement) => compile(statement)));
}

/**
 * Runs `work` and returns the database time and round trips it cost, counting only queries made
 * in its own async context (not those of work running beside it).
 */
export async function measureDatabase<T>(work: () => Promise<T>) {
  if (!requestTiming) {
    const { AsyncLocalStorage } = await import("node:async_hooks");
    // Assigned after the await, so concurrent first requests share one instance.
    requestTiming ??= new AsyncLocalStorage<DatabaseTiming>();
  }
  const timing: DatabaseTiming = { roundTrips: 0, ms: 0 };
  const result = await requestTiming.run(timing, work);
  return { result, ...timing };
}

/** Reports the request's database time and round trips in `Server-Timing`. */
export const databaseTiming = createMiddleware(async (c, next) => {
  const { roundTrips, ms } = await measureDatabase(next);
  c.res.headers.append("Server-Timing", `db;dur=${ms.toFixed(1)};desc="${roundTrips} round trips"`);
});
