/**
 * Error types of the local Neon-protocol endpoint and the JSON bodies Neon sends for them
 * (spec §3). A Postgres error becomes HTTP 400 with every field present (`null` when unset);
 * any other failure carries `code: ""` and `severity: ""` like Neon's proxy-side errors.
 */

import { PG_ERROR_FIELDS } from "../../src/neon-http";

/** The error fields Postgres reports: the ones the Worker's client and the driver read. */
export { PG_ERROR_FIELDS };

export type PgErrorField = (typeof PG_ERROR_FIELDS)[number];
export type ErrorBody = { message: string } & Record<PgErrorField, string | null>;

/** 10 MiB, Neon's default for both the request and the response (spec §5). */
export const SIZE_LIMIT = 10 * 1024 * 1024;

/**
 * An error Postgres reported for a statement; rendered as HTTP 400.
 *
 * @example
 * throw SqlError.from(pgProtocolDatabaseError);
 */
export class SqlError extends Error {
  readonly fields: Record<PgErrorField, string | null>;

  constructor(message: string, fields: Partial<Record<PgErrorField, string | undefined | null>>) {
    super(message);
    this.name = "SqlError";
    const out = {} as Record<PgErrorField, string | null>;
    for (const key of PG_ERROR_FIELDS) out[key] = fields[key] ?? null;
    this.fields = out;
  }

  /** Copies the fields of a pg-protocol `DatabaseError` (PGlite's or node-postgres's). */
  static from(err: Error & Partial<Record<PgErrorField, string | undefined>>): SqlError {
    return new SqlError(err.message, err);
  }

  body(): ErrorBody {
    return { message: this.message, ...this.fields };
  }
}

/**
 * A failure that did not come from Postgres (bad header, bad body, size limits), answered
 * with `status` and a body whose `code`/`severity` are `""`.
 *
 * @example
 * throw new HttpError(413, `request is too large (max is ${SIZE_LIMIT} bytes)`);
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }

  body(): ErrorBody {
    return plainErrorBody(this.message);
  }
}

/** The 507 a statement raises while collecting rows, so a batch can still roll back. */
export function responseTooLarge(): HttpError {
  return new HttpError(507, `response is too large (max is ${SIZE_LIMIT} bytes)`);
}

/** Body of an error that did not come from Postgres. */
export function plainErrorBody(message: string): ErrorBody {
  const body = { message } as ErrorBody;
  for (const key of PG_ERROR_FIELDS) body[key] = null;
  body.code = "";
  body.severity = "";
  return body;
}

/** Maps any thrown value to the HTTP status and JSON body the endpoint answers with. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof SqlError) return { status: 400, body: err.body() };
  if (err instanceof HttpError) return { status: err.status, body: err.body() };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: plainErrorBody(`local endpoint error: ${message}`) };
}
