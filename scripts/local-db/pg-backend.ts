/**
 * A real Postgres server behind the endpoint, through node-postgres (spec §8). One fixed pool;
 * the credentials in `Neon-Connection-String` are ignored.
 */
import pg from "pg";
import { HttpError, SqlError } from "./errors";
import {
  type Backend,
  type BatchOptions,
  type RawResult,
  type ResponseBudget,
  type Statement,
  startTransactionSql,
} from "./protocol";

/** Keeps every value as the raw text Postgres sent; the driver parses by OID itself. */
const rawTypes: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value };

/** Startup options so text output matches a UTC Neon database whatever the server defaults. */
const SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,MDY -c IntervalStyle=postgres";

/**
 * Connects a pool to `url` and checks it answers; tries `CREATE EXTENSION vector` and only
 * warns when the server lacks pgvector.
 *
 * @example
 * const backend = await createPgBackend("postgres://postgres:postgres@127.0.0.1:5432/linkbase");
 */
export async function createPgBackend(url: string): Promise<Backend> {
  const pool = new pg.Pool({ connectionString: url, options: SESSION_OPTIONS, max: 10 });
  // Idle clients that die (server restart) must not crash the process.
  pool.on("error", () => {});
  try {
    await pool.query("CREATE EXTENSION IF NOT EXISTS vector");
  } catch (err) {
    if (!(err instanceof pg.DatabaseError)) {
      await pool.end();
      throw err;
    }
    console.warn(`local-db: pgvector unavailable on ${redact(url)}: ${err.message}`);
  }
  return new PgBackend(pool);
}

class PgBackend implements Backend {
  constructor(private readonly pool: pg.Pool) {}

  async query(stmt: Statement, budget: ResponseBudget): Promise<RawResult> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      const result = await run(client, stmt, budget);
      if (inTransaction(client, result.command)) await client.query("ROLLBACK");
      return result;
    } catch (err) {
      // Only a failure outside Postgres's own error reporting leaves the session suspect.
      broken = !(err instanceof SqlError || err instanceof HttpError);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async batch(
    stmts: Statement[],
    options: BatchOptions,
    budget: ResponseBudget,
  ): Promise<RawResult[]> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await control(client, startTransactionSql(options));
      const results: RawResult[] = [];
      for (const stmt of stmts) results.push(await run(client, stmt, budget));
      await control(client, "COMMIT");
      return results;
    } catch (err) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Extended protocol even without params, so multi-statement SQL fails as on Neon. */
async function run(client: pg.PoolClient, stmt: Statement, budget: ResponseBudget) {
  const config = {
    text: stmt.query,
    values: stmt.params,
    rowMode: "array" as const,
    queryMode: "extended", // pg option missing from @types/pg 8.x
    types: rawTypes,
  };
  let result: pg.QueryResult<(string | null)[]>;
  try {
    result = await client.query<(string | null)[]>(config);
  } catch (err) {
    throw err instanceof pg.DatabaseError ? SqlError.from(err) : err;
  }
  for (const row of result.rows) budget.addRow(row);
  return {
    fields: result.fields.map((f) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: "text" as const,
    })),
    rows: result.rows,
    // pg splits the CommandComplete tag as Neon does, except `null` for an empty query.
    command: result.command ?? "",
    rowCount: result.rowCount ?? null,
  };
}

async function control(client: pg.PoolClient, sql: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (err) {
    throw err instanceof pg.DatabaseError ? SqlError.from(err) : err;
  }
}

/**
 * Whether the session is left inside a transaction. pg keeps ReadyForQuery's status in the
 * private `_txStatus` (8.x); without it, fall back to the statements that open one.
 */
function inTransaction(client: pg.PoolClient, command: string): boolean {
  const status = (client as unknown as { _txStatus?: string | null })._txStatus;
  if (typeof status === "string") return status !== "I";
  return command === "BEGIN" || command === "START";
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}
