import type { Config } from "../config";
import { type Database, type SQL, sql, transaction } from "../database";
import { AppError } from "../exceptions";
import { ErrorCode, QUOTAS, type QuotaName } from "./constants";

/** Each quota's limit from its setting (`QUOTA_<NAME>` in config.ts). */
export function quotaLimits(config: Config): Record<QuotaName, number> {
  return Object.fromEntries(
    QUOTAS.map((quota) => [quota, config[`QUOTA_${quota.toUpperCase() as Uppercase<QuotaName>}`]]),
  ) as Record<QuotaName, number>;
}

/** 409 `QUOTA_EXCEEDED`, naming the quota and its limit; the write did not happen. */
export class QuotaExceeded extends AppError {
  constructor(
    readonly quota: QuotaName,
    readonly limit: number,
  ) {
    super(409, ErrorCode.QUOTA_EXCEEDED, "Quota exceeded", `Over the ${quota} quota of ${limit}.`);
  }

  override extensions() {
    return { quota: this.quota, limit: this.limit };
  }
}

/**
 * Waits for the quota's lock on `ownerId` (a user or project id) until the transaction ends.
 * Put it first in a transaction batch: each later statement of the batch takes its snapshot
 * after the lock is held (read committed), so its count sees every write that held it before.
 */
export function quotaLock(quota: QuotaName, ownerId: SQL | string): SQL {
  const id = typeof ownerId === "string" ? sql`${ownerId}::text` : sql`(${ownerId})::text`;
  return sql`select pg_advisory_xact_lock(hashtextextended(${`quota:${quota}:`} || ${id}, 0))`;
}

/**
 * Runs `statement`, a write whose own WHERE checks the quota's count, under {@link quotaLock}:
 * one round trip (a transaction batch), and concurrent writes at the boundary cannot both pass.
 *
 * @example
 * const [row] = await underQuota(db, "links_per_project", projectId, sql`insert … where
 *   (select count(*) from project_links where project_id = ${projectId}) < ${limit} returning …`);
 */
export async function underQuota<T>(
  db: Database,
  quota: QuotaName,
  ownerId: string,
  statement: SQL,
): Promise<T[]> {
  const [, rows] = await transaction(db, [quotaLock(quota, ownerId), statement]);
  return (rows ?? []) as T[];
}
