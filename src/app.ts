import { OpenAPIHono } from "@hono/zod-openapi";
import * as z from "zod";
import type { Env } from "./config";
import {
  FIELD_ERRORS_MAX,
  FIELD_MESSAGE_MAX,
  FIELD_PATH_MAX,
  ValidationFailed,
} from "./exceptions";

/** Who is calling, as established by `auth/dependencies.ts`. */
export interface Caller {
  userId: string;
  role: "user" | "admin";
  via: "jwt" | "api_key";
  /** `read` keys may only view and search; access tokens and `write` keys may do both. */
  scope: "read" | "write";
  /** A key limited to these projects sees no other; null for access tokens and unlimited keys. */
  projectIds: string[] | null;
}

/** The one Hono environment type every router shares. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    caller: Caller;
  };
}

// Problem paths name the part of the request a client knows: `body.email`, not `json.email`.
const TARGET_NAMES: Record<string, string> = { json: "body", param: "path", query: "query" };

/**
 * A domain router: an OpenAPIHono whose validation failures all become the same 422 problem.
 *
 * @example
 * export const projectsRouter = createRouter().openapi(getProjectRoute, async (c) => …);
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ValidationFailed(
          result.error.issues.map((issue) => ({
            path: [TARGET_NAMES[result.target] ?? result.target, ...issue.path.map(String)].join(
              ".",
            ),
            message: issue.message,
          })),
        );
      }
    },
  });
}

const ProblemSchema = z
  .object({
    type: z.string().max(200).openapi({ format: "uri" }),
    title: z.string().max(200),
    status: z.number().int().min(400).max(599).openapi({ format: "int32" }),
    detail: z.string().max(2000),
    code: z
      .string()
      .max(64)
      .regex(/^[A-Z][A-Z0-9_]*$/),
    // Cloudflare refuses URLs over 16 KB, so no path that reaches the Worker is longer.
    instance: z.string().max(16_384).optional().openapi({ format: "uri-reference" }),
    errors: z
      .array(
        z.object({
          path: z.string().max(FIELD_PATH_MAX),
          message: z.string().max(FIELD_MESSAGE_MAX),
        }),
      )
      .max(FIELD_ERRORS_MAX)
      .optional(),
  })
  .openapi("Problem");

const STATUS_TEXT = {
  400: "Malformed JSON",
  401: "Missing, invalid or expired credentials",
  403: "Authenticated but not allowed",
  404: "Not found, or not visible to the caller",
  409: "Conflict",
  413: "Body too large",
  415: "Body is not JSON",
  422: "Validation failed",
  429: "Rate limited",
  500: "Server fault",
  503: "A dependency is down",
} as const;

type ProblemStatus = keyof typeof STATUS_TEXT;

/** The codes a status carries unless a route names its own (404 and 409 always do). */
const DEFAULT_CODES: Partial<Record<ProblemStatus, readonly string[]>> = {
  400: ["MALFORMED_JSON"],
  401: ["NOT_AUTHENTICATED", "INVALID_TOKEN"],
  403: ["INSUFFICIENT_ROLE", "INSUFFICIENT_SCOPE"],
  413: ["PAYLOAD_TOO_LARGE"],
  415: ["UNSUPPORTED_MEDIA_TYPE"],
  422: ["VALIDATION_FAILED"],
  429: ["RATE_LIMITED"],
  500: ["INTERNAL_ERROR"],
  503: ["SERVICE_UNAVAILABLE"],
};

const printable = "^[\\x20-\\x7e]*$";

/**
 * Rate-limit state on responses to requests that count against a limit
 * (draft-ietf-httpapi-ratelimit-headers, structured fields): the policies and what is left of each.
 */
const rateLimitHeaders = {
  "RateLimit-Policy": {
    description:
      'Policies this request counted against: `"<name>";q=<quota>;w=<window seconds>`, comma separated.',
    schema: { type: "string" as const, maxLength: 512, pattern: printable },
  },
  RateLimit: {
    description:
      'What is left of each policy: `"<name>";r=<remaining>;t=<seconds until the window resets>`.',
    schema: { type: "string" as const, maxLength: 512, pattern: printable },
  },
};

interface HeaderEntry {
  description: string;
  schema: { type: "string"; format?: string; maxLength: number; pattern?: string };
}

/** What every /v1 response carries: rate-limit state, and CORS for allowed browser origins. */
const responseHeaders = {
  ...rateLimitHeaders,
  "Access-Control-Allow-Origin": {
    description: "The calling origin, when it is one of the deployment's CORS_ORIGINS",
    schema: { type: "string" as const, format: "uri", maxLength: 2048 },
  },
};

const retryAfterHeader = {
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    schema: { type: "integer" as const, format: "int32", minimum: 0, maximum: 86_400 },
  },
};

function problemEntry(status: ProblemStatus, codes: readonly string[]) {
  const retry = status === 429 || status === 503;
  return {
    description: `${STATUS_TEXT[status]}: ${codes.map((code) => `\`${code}\``).join(", ")}`,
    headers: retry ? { ...responseHeaders, ...retryAfterHeader } : responseHeaders,
    content: { "application/problem+json": { schema: ProblemSchema } },
  };
}

/** A status, or a status with the codes it answers with on this route. */
type ProblemEntry = ProblemStatus | readonly [ProblemStatus, ...string[]];
type StatusOf<E> = E extends readonly [infer S, ...unknown[]] ? S : E;

/**
 * OpenAPI `responses` entries for the problem statuses a route can answer, each with its codes;
 * 500 is always among them.
 *
 * @example
 * responses: { 200: json(Project, "The project"), ...problems(401, [404, "PROJECT_NOT_FOUND"]) }
 */
export function problems<const E extends readonly ProblemEntry[]>(...entries: E) {
  const byStatus = new Map<ProblemStatus, readonly string[]>();
  for (const entry of [...entries, 500] as ProblemEntry[]) {
    const [status, ...codes] = typeof entry === "number" ? [entry] : entry;
    byStatus.set(status, codes.length > 0 ? codes : (DEFAULT_CODES[status] ?? []));
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [status, problemEntry(status, codes)]),
  ) as { [K in StatusOf<E[number]> | 500]: ReturnType<typeof problemEntry> };
}

/**
 * OpenAPI description of a field that holds text taken from a page (a title, a chunk): plain
 * text, never HTML, so a client must escape it; only `highlight` is HTML.
 */
export const RAW_TEXT = "Plain text from the page, not HTML. Escape it before use in HTML.";

/** An OpenAPI JSON response entry. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, headers: responseHeaders, content: { "application/json": { schema } } };
}

/** An OpenAPI response entry without a body (204, or 302 with `extraHeaders`' Location). */
export function empty(description: string, extraHeaders: Record<string, HeaderEntry> = {}) {
  return { description, headers: { ...responseHeaders, ...extraHeaders } };
}

/** An OpenAPI JSON request body entry. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}
