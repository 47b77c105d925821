import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ConfigError } from "./config";

/** Error codes that belong to no single domain. */
export const ErrorCode = {
  VALIDATION_FAILED: "VALIDATION_FAILED",
  INVALID_CURSOR: "INVALID_CURSOR",
  MALFORMED_JSON: "MALFORMED_JSON",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  RATE_LIMITED: "RATE_LIMITED",
  INTERNAL_ERROR: "INTERNAL_ERROR",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
} as const;

export interface FieldError {
  path: string;
  message: string;
}

/**
 * Base of every error the API answers with on purpose. Subclasses fix status, code and title;
 * `onError` renders them as RFC 9457 problem details.
 *
 * @example
 * export class ProjectNotFound extends AppError {
 *   constructor() { super(404, ErrorCode.PROJECT_NOT_FOUND, "Project not found"); }
 * }
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly title: string,
    readonly detail: string = title,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  /** Extra members of the problem object (e.g. `errors`). */
  extensions(): Record<string, unknown> {
    return {};
  }
}

/** How many field errors a 422 lists (the bound /openapi.json states); the detail counts all. */
export const FIELD_ERRORS_MAX = 100;
/** Longest field error path and message: they may quote a client's key (an unknown field). */
export const FIELD_PATH_MAX = 200;
export const FIELD_MESSAGE_MAX = 1000;

/** Field errors cut to the bounds above, for any 422 that lists them. */
export function boundedFieldErrors(errors: FieldError[]): FieldError[] {
  return errors.slice(0, FIELD_ERRORS_MAX).map(({ path, message }) => ({
    path: path.slice(0, FIELD_PATH_MAX),
    message: message.slice(0, FIELD_MESSAGE_MAX),
  }));
}

export class ValidationFailed extends AppError {
  constructor(readonly errors: FieldError[]) {
    super(422, ErrorCode.VALIDATION_FAILED, "Validation failed", describeFieldErrors(errors));
  }

  override extensions() {
    return { errors: boundedFieldErrors(this.errors) };
  }
}

/** A `cursor` this API did not issue (forged, altered, from another server) or malformed. */
export class InvalidCursor extends AppError {
  constructor(readonly reason: string) {
    super(422, ErrorCode.INVALID_CURSOR, "Invalid cursor", `query.cursor: ${reason}`);
  }

  override extensions() {
    return { errors: [{ path: "query.cursor", message: this.reason }] };
  }
}

export class MalformedJson extends AppError {
  constructor() {
    super(400, ErrorCode.MALFORMED_JSON, "Malformed JSON", "The request body is not valid JSON.");
  }
}

export class UnsupportedMediaType extends AppError {
  constructor() {
    super(
      415,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      "Unsupported media type",
      "Send the request body as application/json.",
    );
  }
}

export class PayloadTooLarge extends AppError {
  constructor(limit: number) {
    super(
      413,
      ErrorCode.PAYLOAD_TOO_LARGE,
      "Payload too large",
      `The request body exceeds ${limit} bytes.`,
    );
  }
}

export class RouteNotFound extends AppError {
  constructor(path: string) {
    super(404, ErrorCode.NOT_FOUND, "Not found", `No route matches ${path}.`);
  }
}

export class RateLimited extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, ErrorCode.RATE_LIMITED, "Too many requests", "Try again later.", {
      "Retry-After": String(retryAfterSeconds),
    });
  }
}

export class ServiceUnavailable extends AppError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(503, ErrorCode.SERVICE_UNAVAILABLE, "Service unavailable", detail, {
      "Retry-After": String(retryAfterSeconds),
    });
  }
}

/** `path: message` of the first error (both cut to their bounds), and how many more there are. */
export function describeFieldErrors(
  errors: FieldError[],
  fallback = "The request is invalid.",
): string {
  const [first] = boundedFieldErrors(errors);
  if (!first) return fallback;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return `${first.path}: ${first.message}${more}`;
}

const PROBLEM_TYPE_BASE = "https://linkbase.dev/problems/";

/** Renders an error as `application/problem+json`. */
export function problemResponse(c: Context, error: AppError): Response {
  const body = {
    type: PROBLEM_TYPE_BASE + error.code.toLowerCase().replaceAll("_", "-"),
    title: error.title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    instance: c.req.path,
    ...error.extensions(),
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { ...error.headers, "Content-Type": "application/problem+json" },
  });
}

/** How long clients should wait before retrying when a dependency is unreachable. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * A dependency that could not be reached (not one that answered with an error): the driver's
 * connection failures, Postgres' connection-class and resource errors, S3 or network failures.
 */
function unreachableDependency(err: Error): string | null {
  const code = (err as { code?: unknown }).code;
  if (err.name === "NeonDbError") {
    const unreachable =
      err.message.startsWith("Error connecting to database") ||
      err.message.startsWith("Server error (HTTP status 5") ||
      (typeof code === "string" && /^(08|53|57P)/.test(code));
    return unreachable ? "The database" : null;
  }
  if (err.name === "S3Error" && "status" in err && typeof err.status === "number") {
    return err.status >= 500 ? "Storage" : null;
  }
  return null;
}

/**
 * Postgres refused a value the schemas let through (class 22: a NUL character in text, a
 * number out of range). The statement failed, so nothing changed: the input is what's wrong.
 */
function rejectedValue(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return err.name === "NeonDbError" && typeof code === "string" && code.startsWith("22");
}

/** `app.onError`: known errors as problems; anything else is logged once and answered 500. */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof AppError) return problemResponse(c, err);
  // Hono's JSON validator throws this for an empty or unparsable body that no middleware saw.
  if (err instanceof HTTPException && err.status === 400) {
    return problemResponse(c, new MalformedJson());
  }
  if (rejectedValue(err)) {
    return problemResponse(
      c,
      new ValidationFailed([
        { path: "body", message: "Contains a value that cannot be stored (e.g. a NUL character)" },
      ]),
    );
  }
  const dependency = unreachableDependency(err);
  if (dependency) {
    logError(err, c);
    const detail = `${dependency} is unreachable; try again shortly.`;
    return problemResponse(c, new ServiceUnavailable(detail, UNAVAILABLE_RETRY_AFTER_SECONDS));
  }
  const requestId = logError(err, c);
  return problemResponse(
    c,
    new AppError(
      500,
      ErrorCode.INTERNAL_ERROR,
      "Internal server error",
      `Something went wrong on our side. Quote request id ${requestId ?? "unknown"} when reporting it.`,
    ),
  );
}

/** One structured line per unexpected error, with the request id and no secrets. */
function logError(err: Error, c: Context): string | undefined {
  const requestId = c.get("requestId") as string | undefined;
  console.error(
    JSON.stringify({
      level: "error",
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      error: err.name,
      message: err instanceof ConfigError ? err.message : redact(withoutParams(err.message)),
      cause: err.cause instanceof Error ? redact(withoutParams(err.cause.message)) : undefined,
      stack: err.stack?.split("\n").slice(1, 6).join("\n"),
    }),
  );
  return requestId;
}

/** Drops the bound values drizzle appends to a failed query's message: they may be user data. */
function withoutParams(message: string): string {
  return message.split("\nparams:")[0] ?? message;
}

/** Strips credentials from URLs and bearer tokens from a message before it is logged. */
export function redact(message: string): string {
  return message
    .replace(/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, "$1***:***@")
    .replace(/Bearer\s+[\w.~+/=-]+/gi, "Bearer ***")
    .replace(/\blb_[\w-]+/g, "lb_***");
}
