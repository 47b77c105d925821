import * as z from "zod";
import { type SQL, sql } from "./database";
import { ValidationFailed } from "./exceptions";

/** The largest `limit` a list accepts. */
export const PAGE_SIZE_MAX = 100;

/** `?limit=&cursor=` of every list endpoint. */
export const PaginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20).openapi({ example: 20 }),
  cursor: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .openapi({ description: "Opaque; from next_cursor" }),
});

export type Pagination = z.infer<typeof PaginationQuery>;

/** The `{items, next_cursor}` envelope for a list of `item`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The sort key most lists use: creation time (microsecond text from SQL) then id. */
export const CreatedAtCursor = z.tuple([z.string().max(40), z.uuid()]);

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64Url(cursor: string): string {
  const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
}

/** Encodes the sort-key values of the last row into an opaque cursor. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return toBase64Url(JSON.stringify(values));
}

/**
 * Decodes and validates a cursor; a garbled one is a 422 on `query.cursor`, never a 500.
 *
 * @example
 * const after = pagination.cursor ? decodeCursor(pagination.cursor, CreatedAtCursor) : null;
 */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  let decoded: unknown;
  try {
    decoded = JSON.parse(fromBase64Url(cursor));
  } catch {
    decoded = undefined;
  }
  const parsed = schema.safeParse(decoded);
  if (!parsed.success) {
    throw new ValidationFailed([{ path: "query.cursor", message: "Invalid cursor" }]);
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
