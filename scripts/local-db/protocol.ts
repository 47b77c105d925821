/**
 * Request side of Neon's SQL-over-HTTP protocol (spec §1) and the backend contract: headers,
 * body shapes, parameter conversion and the per-request response-size budget.
 */
import { HttpError, responseTooLarge, SIZE_LIMIT } from "./errors";

/** One statement to run with the extended protocol; params are Postgres text or NULL. */
export interface Statement {
  query: string;
  params: (string | null)[];
  /** Per-query override of the `Neon-Array-Mode` header. */
  arrayMode?: boolean;
}

/** One RowDescription entry, under node-postgres's names (spec §2.2). */
export interface FieldInfo {
  name: string;
  dataTypeID: number;
  tableID: number;
  columnID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: "text";
}

/** What a backend returns for one statement, before array/object shaping. */
export interface RawResult {
  fields: FieldInfo[];
  rows: (string | null)[][];
  command: string;
  rowCount: number | null;
}

export type IsolationLevel =
  | "READ UNCOMMITTED"
  | "READ COMMITTED"
  | "REPEATABLE READ"
  | "SERIALIZABLE";

export interface BatchOptions {
  isolationLevel?: IsolationLevel;
  readOnly: boolean;
  deferrable: boolean;
}

/** A database the endpoint can front: PGlite in-process or a real server through node-postgres. */
export interface Backend {
  /** Runs one statement in autocommit; leaves no transaction open afterwards. */
  query(stmt: Statement, budget: ResponseBudget): Promise<RawResult>;
  /** Runs all statements in one transaction; rolls everything back on the first error. */
  batch(stmts: Statement[], options: BatchOptions, budget: ResponseBudget): Promise<RawResult[]>;
  close(): Promise<void>;
}

/**
 * Running size of the response across all statements of a request; throws the 507 before the
 * limit is passed so a batch can still roll back (Neon checks before appending each row).
 */
export class ResponseBudget {
  private used = 0;
  constructor(private readonly limit = SIZE_LIMIT) {}

  addRow(row: (string | null)[]): void {
    this.used += Buffer.byteLength(JSON.stringify(row)) + 1;
    if (this.used > this.limit) throw responseTooLarge();
  }
}

const ISOLATION_LEVELS: Record<string, IsolationLevel> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

/** Decoded `Neon-Connection-String`; the backends may ignore it (one database locally). */
export interface ConnectionInfo {
  user: string;
  password: string;
  database: string;
  host: string;
}

/** Neon treats a boolean header as true only when it is exactly `true`. */
export function isTrue(value: string | null | undefined): boolean {
  return value === "true";
}

/**
 * Validates and decodes the `Neon-Connection-String` header like Neon's proxy (minus its
 * endpoint-ID and IP-host checks, which make no sense locally).
 *
 * @example
 * parseConnectionString("postgresql://u:p%40ss@localhost/db").password; // "p@ss"
 */
export function parseConnectionString(header: string | undefined): ConnectionInfo {
  if (!header) throw new HttpError(400, "invalid header: neon-connection-string");
  let url: URL;
  try {
    url = new URL(header);
  } catch (err) {
    throw new HttpError(400, `invalid connection string: ${(err as Error).message}`);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new HttpError(400, "incorrect scheme");
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, "").split("/")[0] ?? "");
  if (!database) throw new HttpError(400, "missing database name");
  const user = decodeURIComponent(url.username);
  if (!user) throw new HttpError(400, "missing username");
  return { user, password: decodeURIComponent(url.password), database, host: url.hostname };
}

/** Reads the `Neon-Batch-*` headers; an unknown isolation level is a 400 even for single queries. */
export function parseBatchOptions(headers: {
  isolation?: string;
  readOnly?: string;
  deferrable?: string;
}): BatchOptions {
  let isolationLevel: IsolationLevel | undefined;
  if (headers.isolation !== undefined) {
    isolationLevel = ISOLATION_LEVELS[headers.isolation];
    if (!isolationLevel) throw new HttpError(400, "invalid isolation level");
  }
  return {
    isolationLevel,
    readOnly: isTrue(headers.readOnly),
    deferrable: isTrue(headers.deferrable),
  };
}

/** `START TRANSACTION` with the options Neon emits (never READ WRITE / NOT DEFERRABLE). */
export function startTransactionSql(options: BatchOptions): string {
  const parts: string[] = [];
  if (options.isolationLevel) parts.push(`ISOLATION LEVEL ${options.isolationLevel}`);
  if (options.readOnly) parts.push("READ ONLY");
  if (options.deferrable) parts.push("DEFERRABLE");
  return parts.length ? `START TRANSACTION ${parts.join(", ")}` : "START TRANSACTION";
}

export type ParsedBody = { kind: "query"; stmt: Statement } | { kind: "batch"; stmts: Statement[] };

/**
 * Parses the body whatever its Content-Type (the driver sends text/plain). A string `query`
 * wins over `queries`, as in Neon's serde untagged enum.
 */
export function parseBody(text: string): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw bodyError((err as Error).message);
  }
  if (isObject(json) && typeof json.query === "string") {
    return { kind: "query", stmt: toStatement(json) };
  }
  if (isObject(json) && Array.isArray(json.queries)) {
    return {
      kind: "batch",
      stmts: json.queries.map((q) => {
        if (!isObject(q) || typeof q.query !== "string") throw bodyError("invalid batch entry");
        return toStatement(q);
      }),
    };
  }
  throw bodyError("data did not match any variant of untagged enum Payload");
}

function toStatement(obj: Record<string, unknown>): Statement {
  const params = obj.params ?? [];
  if (!Array.isArray(params)) throw bodyError("params must be an array");
  if (obj.arrayMode !== undefined && typeof obj.arrayMode !== "boolean") {
    throw bodyError("arrayMode must be a boolean");
  }
  return {
    query: obj.query as string,
    params: params.map(toTextParam),
    arrayMode: obj.arrayMode as boolean | undefined,
  };
}

/**
 * Converts a JSON param to Postgres text the way Neon's proxy does (spec §1.5): strings as is,
 * scalars and objects as compact JSON, arrays as Postgres array literals.
 *
 * @example
 * toTextParam(["a", null, [1, 2]]); // '{"a",NULL,{1,2}}'
 */
export function toTextParam(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

function arrayLiteral(values: unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return "NULL";
    if (Array.isArray(v)) return arrayLiteral(v);
    if (typeof v === "string") return JSON.stringify(v);
    if (typeof v === "object") return JSON.stringify(JSON.stringify(v));
    return JSON.stringify(v);
  });
  return `{${items.join(",")}}`;
}

/**
 * Splits a CommandComplete tag into Neon's `command` and `rowCount` (spec §2.2).
 *
 * @example
 * commandTag("INSERT 0 5"); // { command: "INSERT", rowCount: 5 }
 */
export function commandTag(tag: string | null): { command: string; rowCount: number | null } {
  if (!tag) return { command: "", rowCount: null };
  const words = tag.split(" ");
  const command = words[0] ?? "";
  const countWord = command === "INSERT" ? words[2] : words[1];
  const rowCount = countWord !== undefined && /^\d+$/.test(countWord) ? Number(countWord) : null;
  return { command, rowCount };
}

function bodyError(detail: string): HttpError {
  return new HttpError(400, `could not parse the HTTP request body: ${detail}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
