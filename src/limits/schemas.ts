import * as z from "zod";
import { Int64 } from "../schemas";
import { QUOTAS, type QuotaName } from "./constants";

const Usage = z.object({
  used: Int64.openapi({ description: "Per-project quotas: your fullest project" }),
  limit: Int64,
});

/** Every quota with what the caller uses of it, as `GET /v1/users/me` shows them. */
export const QuotaUsage = z
  .object(
    Object.fromEntries(QUOTAS.map((quota) => [quota, Usage])) as Record<QuotaName, typeof Usage>,
  )
  .openapi("QuotaUsage");

export type QuotaUsage = z.infer<typeof QuotaUsage>;
