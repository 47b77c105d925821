import { createMiddleware } from "hono/factory";
import * as z from "zod";
import type { AppEnv } from "./app";
import { timingSafeEqual } from "./auth/utils";
import { getConfig } from "./config";
import { type SQL, sql } from "./database";
import { InvalidCursor } from "./exceptions";

type NodeCrypto = typeof import("node:crypto");
let nodeCrypto: NodeCrypto | undefined;

/**
 * node:crypto's `createHmac`, loaded at first use. A static import would be hoisted to the top
 * of the Worker's script and load Node's crypto modules (about 30 ms) at every isolate's startup.
 */
function createHmac(...args: Parameters<NodeCrypto["createHmac"]>) {
  const { process } = globalThis as unknown as {
    process: { getBuiltinModule(id: "node:crypto"): NodeCrypto };
  };
  nodeCrypto ??= process.getBuiltinModule("node:crypto");
  return nodeCrypto.createHmac(...args);
}

/** The largest `limit` a list accepts. */
export const PAGE_SIZE_MAX = 100;

/** Longest cursor accepted; the ones this API writes are far shorter. */
const CURSOR_MAX = 512;

/** `?limit=&cursor=` of every list endpoint. */
export const PaginationQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PAGE_SIZE_MAX)
    .default(20)
    .openapi({ format: "int32", example: 20 }),
  cursor: z
    .string()
    .min(1)
    .max(CURSOR_MAX)
    .optional()
    .openapi({ description: "Opaque; from next_cursor" }),
});

export type Pagination = z.infer<typeof PaginationQuery>;

/** The 422 of a list route: a bad query, or a cursor this deployment did not issue. */
export const LIST_422 = [422, "VALIDATION_FAILED", "INVALID_CURSOR"] as const;

/** The `{items, next_cursor}` envelope for a list of `item`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item).max(PAGE_SIZE_MAX),
    next_cursor: z
      .string()
      .max(CURSOR_MAX)
      .regex(/^[\w.-]+$/)
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next page; null on the last page" }),
  });
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * Microsecond UTC time as `api_time()` writes it. Checked strictly (and round-tripped through
 * `Date`) so nothing but a real instant reaches `::timestamptz`: Postgres would also take
 * `infinity`, `epoch` or `allballs`.
 */
const CursorTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
    "the cursor's timestamp must be a UTC time like 2026-01-31T23:59:59.123456Z",
  )
  .refine(
    (text) => {
      const ms = Date.parse(text);
      return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === text.slice(0, 19);
    },
    { message: "the cursor's timestamp is not a real date and time" },
  );

/** The sort key most lists use: creation time (microsecond text from SQL) then id. */
export const CreatedAtCursor = z.tuple([CursorTime, z.uuid()]);

const encoder = new TextEncoder();
/** Label of the cursor key, so a cursor MAC can never stand in for any other use of the secret. */
const CURSOR_KEY_LABEL = "linkbase/pagination-cursor/v1";
let cursorKey: { secret: string; key?: Uint8Array } | null = null;

/**
 * Sets the secret (JWT_SECRET) the cursor signing key is derived from. Cursors are encoded and
 * checked deep inside services that never see `env`, so the key is module state, set per request
 * by {@link cursorSigning}; one deployment has one secret.
 */
export function useCursorSecret(secret: string): void {
  if (cursorKey?.secret === secret) return;
  // Derived by the first cursor, so requests without one never load node:crypto.
  cursorKey = { secret };
}

/** Middleware: makes the deployment's cursor key available to `encodeCursor`/`decodeCursor`. */
export const cursorSigning = createMiddleware<AppEnv>(async (c, next) => {
  useCursorSecret(getConfig(c.env).JWT_SECRET);
  await next();
});

function mac(payload: string): string {
  if (!cursorKey) throw new Error("pagination: no cursor key (cursorSigning middleware missing)");
  cursorKey.key ??= createHmac("sha256", cursorKey.secret).update(CURSOR_KEY_LABEL).digest();
  return createHmac("sha256", cursorKey.key).update(payload).digest("base64url");
}

function toBase64Url(text: string): string {
  const bytes = encoder.encode(text);
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64Url(cursor: string): string {
  const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
}

/** Encodes the sort-key values of the last row into an opaque, signed cursor: `payload.mac`. */
export function encodeCursor(values: readonly (string | number)[]): string {
  const payload = toBase64Url(JSON.stringify(values));
  return `${payload}.${mac(payload)}`;
}

/**
 * Checks a cursor's signature, then decodes and validates it: a forged, altered or garbled
 * cursor is a 422 `INVALID_CURSOR` on `query.cursor`, never a 500 and never a query.
 *
 * @example
 * const after = pagination.cursor ? decodeCursor(pagination.cursor, CreatedAtCursor) : null;
 */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  const [payload = "", signature = "", ...rest] = cursor.split(".");
  const expected = mac(payload);
  if (rest.length > 0 || !timingSafeEqual(encoder.encode(signature), encoder.encode(expected))) {
    throw new InvalidCursor("not a cursor this API issued; start again without one");
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(fromBase64Url(payload));
  } catch {
    decoded = undefined;
  }
  const parsed = schema.safeParse(decoded);
  if (!parsed.success) {
    throw new InvalidCursor(parsed.error.issues[0]?.message ?? "malformed cursor");
  }
  return parsed.data;
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only signals that more exist.
 *
 * @example
 * return toPage(rows, limit, (row) => [row.created_at, row.id]);
 */
export function toPage<T>(
  rows: T[],
  limit: number,
  sortKey: (row: T) => readonly (string | number)[],
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const next_cursor = rows.length > limit && last ? encodeCursor(sortKey(last)) : null;
  return { items, next_cursor };
}

/**
 * The keyset condition for lists ordered `created_at desc, id desc` on table alias `alias`.
 *
 * @example
 * sql`select … from projects p where ${createdBefore("p", pagination.cursor)}
 *     order by p.created_at desc, p.id desc limit ${pagination.limit + 1}`
 */
export function createdBefore(alias: string, cursor: string | undefined): SQL {
  if (!cursor) return sql`true`;
  const [createdAt, id] = decodeCursor(cursor, CreatedAtCursor);
  const a = sql.raw(alias);
  return sql`(${a}.created_at, ${a}.id) < (${createdAt}::timestamptz, ${id}::uuid)`;
}

/** `toPage` for rows shaped `{ item, sort_at }` where `item.id` breaks ties. */
export function createdAtPage<T extends { id: string }>(
  rows: { item: T; sort_at: string }[],
  limit: number,
): Page<T> {
  const page = toPage(rows, limit, (row) => [row.sort_at, row.item.id]);
  return { items: page.items.map((row) => row.item), next_cursor: page.next_cursor };
}
