import { OpenAPIHono } from "@hono/zod-openapi";
import * as z from "zod";
import type { Env } from "./config";
import { ValidationFailed } from "./exceptions";
import type { RateLimitOutcome } from "./limits/rate-limits";

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
    /** What the response's RateLimit headers announce, by policy (limits/rate-limits.ts). */
    rateLimits: Map<RateLimitOutcome["policy"], RateLimitOutcome>;
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
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

const STATUS_TEXT: Record<number, string> = {
  400: "Malformed JSON",
  401: "Missing, invalid or expired credentials",
  403: "Authenticated but not allowed",
  404: "Not found, or not visible to the caller",
  409: "Conflict",
  413: "Body too large",
  415: "Body is not JSON",
  422: "Validation failed",
  429: "Rate limited",
  503: "A dependency is down",
};

/**
 * The headers every /v1 response carries (draft-ietf-httpapi-ratelimit-headers, structured
 * fields): the policies the request counted against and what is left of each. Reuse these in
 * any response entry; {@link json} and {@link problems} already include them.
 */
export const rateLimitHeaders = {
  "RateLimit-Policy": {
    description: 'Policies counted against: `"reads";q=600;w=60` (w: seconds)',
    schema: { type: "string" as const },
  },
  RateLimit: {
    description:
      'What is left of each: `"reads";r=599;t=42, "ip";r=1199;t=42` (t: seconds to reset)',
    schema: { type: "string" as const },
  },
};

/** Problems also say how long to wait when the client should (429, 503). */
const problemHeaders = {
  ...rateLimitHeaders,
  "Retry-After": {
    description: "Seconds to wait (429, 503)",
    schema: { type: "integer" as const },
  },
};

interface ProblemEntry {
  description: string;
  headers: typeof problemHeaders;
  content: { "application/problem+json": { schema: typeof ProblemSchema } };
}

/**
 * OpenAPI `responses` entries for the problem statuses a route can answer; 429 is always among
 * them, since every route is rate limited.
 *
 * @example
 * responses: { 200: json(Project, "The project"), ...problems(401, 404, 422) }
 */
export function problems<const S extends readonly (keyof typeof STATUS_TEXT)[]>(...statuses: S) {
  return Object.fromEntries(
    [...new Set([...statuses, 429])].map((status) => [
      status,
      {
        description: STATUS_TEXT[status] ?? "Error",
        headers: problemHeaders,
        content: { "application/problem+json": { schema: ProblemSchema } },
      },
    ]),
  ) as { [K in S[number] | 429]: ProblemEntry };
}

/**
 * OpenAPI description of a field that holds text taken from a page (a title, a chunk): plain
 * text, never HTML, so a client must escape it; only `highlight` is HTML.
 */
export const RAW_TEXT = "Plain text from the page, not HTML. Escape it before use in HTML.";

/** An OpenAPI JSON response entry. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, headers: rateLimitHeaders, content: { "application/json": { schema } } };
}

/** An OpenAPI JSON request body entry. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}
