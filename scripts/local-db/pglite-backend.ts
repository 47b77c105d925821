/**
 * PGlite (Postgres in WebAssembly, with pgvector) behind the endpoint. Statements go through
 * hand-built extended-protocol messages so values stay raw Postgres text and metadata is
 * complete (spec §8); `db.query()` would convert values and drop field metadata.
 */
import { mkdir } from "node:fs/promises";
import { PGlite, protocol } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { SqlError } from "./errors";
import {
  type Backend,
  type BatchOptions,
  commandTag,
  type FieldInfo,
  type RawResult,
  type ResponseBudget,
  type Statement,
  startTransactionSql,
} from "./protocol";

type Message = Awaited<ReturnType<PGlite["execProtocol"]>>["messages"][number];
type Field = InstanceType<typeof protocol.messages.Field>;

const { serialize } = protocol;

/** Session settings that make text output match a UTC Neon database (spec §8). */
export const SESSION_SETUP = [
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, MDY'",
  "SET IntervalStyle = 'postgres'",
];

/**
 * Opens PGlite with pgvector and returns a backend that serializes every request with
 * `runExclusive`, PGlite having a single session.
 *
 * @example
 * const backend = await createPgliteBackend(".data/pglite"); // or undefined for in-memory
 */
export async function createPgliteBackend(dataDir?: string): Promise<Backend> {
  // PGlite creates only the last path segment; `.data/pglite` needs its parents.
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  await db.exec(["CREATE EXTENSION IF NOT EXISTS vector", ...SESSION_SETUP].join(";\n"));
  return new PgliteBackend(db);
}

class PgliteBackend implements Backend {
  /** Transaction status from the last ReadyForQuery: I idle, T in transaction, E failed. */
  private status = "I";

  constructor(private readonly db: PGlite) {}

  query(stmt: Statement, budget: ResponseBudget): Promise<RawResult> {
    return this.db.runExclusive(async () => {
      try {
        return await this.extended(stmt, budget);
      } finally {
        // A lone BEGIN must not leave later requests inside its transaction (spec §1.6).
        if (this.status !== "I") await this.simple("ROLLBACK");
      }
    });
  }

  batch(stmts: Statement[], options: BatchOptions, budget: ResponseBudget): Promise<RawResult[]> {
    return this.db.runExclusive(async () => {
      await this.simple(startTransactionSql(options));
      try {
        const results: RawResult[] = [];
        for (const stmt of stmts) results.push(await this.extended(stmt, budget));
        await this.simple("COMMIT");
        return results;
      } finally {
        if (this.status !== "I") await this.simple("ROLLBACK");
      }
    });
  }

  async close(): Promise<void> {
    // PGlite's Emscripten runtime sets process.exitCode to Postgres's own exit status (0) when it
    // shuts down, which would turn a failed run (tests, a benchmark) into a passing one: keep it.
    const exitCode = process.exitCode;
    await this.db.close();
    process.exitCode = exitCode;
  }

  /** Parse (unnamed, untyped) / Bind (text) / Describe portal / Execute / Sync, as Neon does. */
  private async extended(stmt: Statement, budget: ResponseBudget): Promise<RawResult> {
    const message = concat([
      serialize.parse({ text: stmt.query }),
      serialize.bind({ values: stmt.params }),
      serialize.describe({ type: "P" }),
      serialize.execute({}),
      serialize.sync(),
    ]);
    const { messages } = await this.db.execProtocol(message, { throwOnError: false });
    return this.collect(messages, budget);
  }

  /** Simple-protocol query for transaction control; throws the Postgres error if any. */
  private async simple(sql: string): Promise<void> {
    const { messages } = await this.db.execProtocol(serialize.query(sql), { throwOnError: false });
    this.collect(messages, null);
  }

  private collect(messages: Message[], budget: ResponseBudget | null): RawResult {
    const result: RawResult = { fields: [], rows: [], command: "", rowCount: null };
    let error: Error | undefined;
    for (const msg of messages) {
      if (msg instanceof protocol.messages.DatabaseError) {
        error ??= SqlError.from(msg);
      } else if (msg instanceof protocol.messages.RowDescriptionMessage) {
        result.fields = msg.fields.map(fieldInfo);
      } else if (msg instanceof protocol.messages.DataRowMessage) {
        // Keep consuming to the ReadyForQuery so `status` stays right; throw afterwards.
        if (!error && budget) {
          try {
            budget.addRow(msg.fields);
          } catch (tooLarge) {
            error = tooLarge as Error;
          }
        }
        if (!error) result.rows.push(msg.fields);
      } else if (msg instanceof protocol.messages.CommandCompleteMessage) {
        Object.assign(result, commandTag(msg.text));
      } else if (msg instanceof protocol.messages.ReadyForQueryMessage) {
        this.status = msg.status;
      }
    }
    if (error) throw error;
    return result;
  }
}

function fieldInfo(f: Field): FieldInfo {
  return {
    name: f.name,
    dataTypeID: f.dataTypeID,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: "text",
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
