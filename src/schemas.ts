import * as z from "zod";

// Field types the domains share. Each states its bounds in /openapi.json (the OWASP API rules:
// every string, integer and array bounded); as inputs the same bounds are enforced.

export const INT32_MAX = 2_147_483_647;

/** A UUID; its fixed length is stated for generators and linters. */
export const Uuid = z.uuid().openapi({ maxLength: 36 });

/** Values the examples of /openapi.json share. */
export const EXAMPLE_ID = "0f5d2b1e-7c3a-4e8b-9a61-2d4c8e6f1a37";
const EXAMPLE_TIME = "2026-12-01T09:30:00.000000Z";

/** RFC 3339 UTC with microseconds, as `api_time()` in SQL writes it. */
export const Timestamp = z.string().max(32).openapi({ format: "date-time", example: EXAMPLE_TIME });

/** An integer in [min, max] that fits in 32 bits. */
export function int32(min = 0, max = INT32_MAX) {
  return z.number().int().min(min).max(max).openapi({ format: "int32" });
}

/** A count or size that may outgrow 32 bits: JSON keeps it exact up to 2^53 − 1. */
export const Int64 = z
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .openapi({ format: "int64" });
