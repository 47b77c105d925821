/**
 * A Neon "SQL over HTTP" client: the part of `@neondatabase/serverless` (1.2.0) this Worker uses,
 * `neon(url).query(text, params)` and the non-interactive `transaction([...])`, speaking the same
 * protocol (/work/shared/neon-http.md) and returning the same values. The driver was 143 KB of
 * the 553 KB minified bundle (177.3 → 132.2 KB gzip without it), nearly all of it its WebSocket
 * `Pool`, node-postgres and Node polyfills that HTTP queries never run.
 * `test/local-stack/neon-http-client.test.ts` runs the same statements through both and asserts
 * identical requests, rows and errors.
 *
 * Values are sent and parsed as the driver does (pg's `prepareValue`, pg-types' text parsers);
 * `src/postgres-text.ts` holds that codec.
 */
import { parseValue, prepareValue } from "./postgres-text";

/**
 * The fields of a Postgres error (node-postgres / pg-protocol names) that the error body carries
 * and the driver copies onto `NeonDbError`, null becoming undefined.
 */
export const PG_ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

type ErrorField = (typeof PG_ERROR_FIELDS)[number];

/**
 * What the driver throws, by the same name: a Postgres error (HTTP 400, with its SQLSTATE `code`
 * and fields), a server error (other statuses) or a failed fetch (`sourceError`).
 */
export class NeonDbError extends Error implements Partial<Record<ErrorField, string>> {
  override name = "NeonDbError";
  severity?: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  internalPosition?: string;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  file?: string;
  line?: string;
  routine?: string;
  sourceError?: unknown;
}

export interface Statement {
  text: string;
  params: readonly unknown[];
}

export type Row = Record<string, unknown>;

interface QueryResult {
  fields: { name: string; dataTypeID: number }[];
  rows: (string | null)[][];
}

export interface NeonHttpOptions {
  /** Where to POST; by default Neon's own (`https://api.<region host>/sql`), as the driver. */
  endpoint?: string;
  /** In place of the global `fetch`, e.g. to time each round trip. */
  fetch?: typeof fetch;
}

/**
 * One database, by connection string. Each call is one HTTP request (one round trip).
 *
 * @example
 * const db = new NeonHttp(env.DATABASE_URL);
 * const [row] = await db.query("select $1::int as n", [1]); // { n: 1 }
 * await db.transaction([{ text: "insert …", params: [] }, { text: "update …", params: [] }]);
 */
export class NeonHttp {
  readonly #endpoint: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;

  constructor(connectionString: string, options: NeonHttpOptions = {}) {
    const { hostname } = new URL(connectionString);
    // The driver's default: the first DNS label becomes `api` (ep-x.eu.aws.neon.tech → api.eu.…).
    this.#endpoint = options.endpoint ?? `https://${hostname.replace(/^[^.]+\./, "api.")}/sql`;
    this.#headers = {
      // The driver sends the postgresql: spelling; Neon reads the credentials and database here.
      "Neon-Connection-String": connectionString.replace(/^postgres:/, "postgresql:"),
      // Postgres's text output and rows as arrays; values are parsed here by column type.
      "Neon-Raw-Text-Output": "true",
      "Neon-Array-Mode": "true",
    };
    // Wrapped: workerd rejects `fetch` called as a method of another object.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Runs one statement in autocommit; resolves to its rows as objects keyed by column name. */
  async query(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return toRows((await this.#post(prepare({ text, params }))) as QueryResult);
  }

  /**
   * Runs the statements in order as one transaction: all commit or, on the first error (which
   * it rejects with), none do. Resolves to each statement's rows.
   */
  async transaction(statements: readonly Statement[]): Promise<Row[][]> {
    const { results } = (await this.#post({ queries: statements.map(prepare) })) as {
      results?: unknown;
    };
    if (!Array.isArray(results)) {
      throw new NeonDbError("Neon internal error: unexpected result format");
    }
    return results.map((result: QueryResult) => toRows(result));
  }

  async #post(body: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await this.#fetch(this.#endpoint, {
        method: "POST",
        headers: this.#headers,
        body: JSON.stringify(body),
      });
    } catch (err) {
      const error = new NeonDbError(`Error connecting to database: ${err}`);
      error.sourceError = err;
      throw error;
    }
    if (response.ok) return response.json();
    if (response.status === 400) {
      const fields = (await response.json()) as Record<string, string | null>;
      const error = new NeonDbError(fields.message ?? undefined);
      for (const field of PG_ERROR_FIELDS) error[field] = fields[field] ?? undefined;
      throw error;
    }
    throw new NeonDbError(
      `Server error (HTTP status ${response.status}): ${await response.text()}`,
    );
  }
}

function prepare({ text, params }: Statement) {
  return { query: text, params: params.map(prepareValue) };
}

/**
 * Rows as objects: a duplicate column name keeps the last column's value, as the driver's
 * `Object.fromEntries` does.
 */
function toRows({ fields, rows }: QueryResult): Row[] {
  const names = fields.map((field) => field.name);
  const parsers = fields.map((field) => parseValue(field.dataTypeID));
  return rows.map((row) =>
    Object.fromEntries(
      row.map((value, index) => [
        names[index],
        value === null ? null : (parsers[index] as (text: string) => unknown)(value),
      ]),
    ),
  );
}
