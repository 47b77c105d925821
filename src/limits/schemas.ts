import * as z from "zod";
import { QUOTAS, type QuotaName } from "./constants";

const Usage = z.object({
  used: z.number().int().openapi({ description: "Per-project quotas: your fullest project" }),
  limit: z.number().int(),
});

/** Every quota with what the caller uses of it, as `GET /v1/users/me` shows them. */
export const QuotaUsage = z
  .object(
    Object.fromEntries(QUOTAS.map((quota) => [quota, Usage])) as Record<QuotaName, typeof Usage>,
  )
  .openapi("QuotaUsage");

export type QuotaUsage = z.infer<typeof QuotaUsage>;
