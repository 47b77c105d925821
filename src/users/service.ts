import { AccountGone, InvalidCredentials } from "../auth/exceptions";
import * as authUtils from "../auth/utils";
import { currentChunk } from "../chunks/current";
import { type Database, type SQL, selectRows, sql } from "../database";
import * as snapshots from "../ingestion/snapshots";
import { QUOTAS, type QuotaName } from "../limits/constants";
import { createdAtPage, createdBefore, type Page, type Pagination } from "../pagination";
import * as webhooksOutbox from "../webhooks/outbox";
import type { User, UserMe, UserUpdated } from "./schemas";

/**
 * The public user object built by Postgres from the row alias `alias`.
 *
 * @example
 * sql`select ${userJson("u")} as user from users u where u.id = ${id}`
 */
export function userJson(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`json_build_object('id', ${a}.id, 'email', ${a}.email, 'name', ${a}.name,
    'role', ${a}.role, 'created_at', api_time(${a}.created_at))`;
}

/** The largest per-project count of `rows` (alias `r`, with `project_id`) among owned projects. */
function fullestOwned(rows: SQL, where: SQL = sql`true`): SQL {
  return sql`(select coalesce(max(n), 0) from (
    select count(*) as n from ${rows} r join owned o on o.id = r.project_id where ${where}
    group by r.project_id) per_project)`;
}

/** Unexpired, for a key or link row aliased `r`. */
const live = sql`(r.expires_at is null or r.expires_at > now())`;

/**
 * The caller with counts over everything they can reach and their usage of each quota (the
 * counts the quota checks make, over the whole account), one statement; `onlyIds` (a
 * project-limited API key) limits the counts, not the usage, to those projects.
 */
export async function getMe({
  db,
  userId,
  onlyIds = null,
  limits,
}: {
  db: Database;
  userId: string;
  onlyIds?: string[] | null;
  limits: Record<QuotaName, number>;
}): Promise<UserMe | null> {
  const only = onlyIds ? JSON.stringify(onlyIds) : null;
  const used: Record<QuotaName, SQL> = {
    projects_per_user: sql`(select count(*) from owned)`,
    api_keys_per_user: sql`(select count(*) from api_keys r where r.user_id = u.id and ${live})`,
    urls_per_project: fullestOwned(sql`urls`),
    links_per_project: fullestOwned(sql`project_links`, live),
    chunks_per_project: fullestOwned(sql`chunks`, currentChunk("r")),
    webhooks_per_project: fullestOwned(sql`webhook_endpoints`),
  };
  const usage = sql.join(
    QUOTAS.map(
      (quota) =>
        sql`${quota}::text, jsonb_build_object('used', ${used[quota]}, 'limit', ${limits[quota]}::int)`,
    ),
    sql`, `,
  );
  const [row] = await selectRows<{ me: UserMe }>(
    db,
    sql`with owned as (select id from projects where owner_id = ${userId}),
        reachable as (
          select id from (
            select id from owned
            union select project_id from project_shares where user_id = ${userId}
          ) r
          where ${only}::json is null
             or r.id in (select value::uuid from json_array_elements_text(${only}::json))
        )
        select ${userJson("u")}::jsonb || jsonb_build_object('stats', jsonb_build_object(
          'projects', (select count(*) from reachable),
          'urls', (select count(*) from urls where project_id in (select id from reachable)),
          'chunks', (select count(*) from chunks c
                     where c.project_id in (select id from reachable) and ${currentChunk("c")})
        ), 'usage', jsonb_build_object(${usage})) as me
        from users u where u.id = ${userId}`,
  );
  return row?.me ?? null;
}

/** Renames the caller; 401 when the account is gone. */
export async function updateName({
  db,
  userId,
  name,
}: {
  db: Database;
  userId: string;
  name: string | null;
}): Promise<User> {
  const [row] = await selectRows<{ user: User }>(
    db,
    sql`update users u set name = ${name}, updated_at = now() where u.id = ${userId}
        returning ${userJson("u")} as user`,
  );
  if (!row) throw new AccountGone();
  return row.user;
}

/**
 * Checks the current password, then sets the new one and revokes every refresh token. Two round
 * trips: the stored hash must be read before the password can be checked. The write compares the
 * old hash, so a concurrent change in between makes this one fail rather than win silently.
 * API keys and access tokens survive; the answer says so (`credentials`), and
 * POST /v1/auth/logout-all {include_api_keys: true} removes the keys.
 */
export async function changePassword({
  db,
  userId,
  currentPassword,
  newPassword,
  accessTokenTtlSeconds,
}: {
  db: Database;
  userId: string;
  currentPassword: string;
  newPassword: string;
  accessTokenTtlSeconds: number;
}): Promise<UserUpdated> {
  const [stored] = await selectRows<{ password_hash: string }>(
    db,
    sql`select password_hash from users where id = ${userId}`,
  );
  if (!stored) throw new AccountGone();
  const oldHash = stored.password_hash;
  if (!(await authUtils.verifyPassword(currentPassword, oldHash)).ok)
    throw new InvalidCredentials();
  const newHash = await authUtils.hashPassword(newPassword);
  const [row] = await selectRows<{ user: User | null; revoked: number; keys: number }>(
    db,
    sql`with changed as (
          update users set password_hash = ${newHash}, updated_at = now()
          where id = ${userId} and password_hash = ${oldHash}
          returning *
        ), revoked as (
          update refresh_tokens set revoked_at = now()
          where user_id in (select id from changed) and revoked_at is null
          returning id
        )
        select (select ${userJson("u")} from changed u) as user,
               (select count(*)::int from revoked) as revoked,
               (select count(*)::int from api_keys where user_id = ${userId}) as keys`,
  );
  if (!row?.user) throw new InvalidCredentials();
  return {
    ...row.user,
    credentials: {
      refresh_tokens_revoked: row.revoked,
      api_keys_kept: row.keys,
      access_tokens_valid_for_seconds: accessTokenTtlSeconds,
    },
  };
}

/**
 * Deletes the account (cascading to everything it owns) and schedules the deletion of its
 * projects' snapshots in the same statement; null when the account is gone.
 */
export async function deleteUser({
  db,
  userId,
}: {
  db: Database;
  userId: string;
}): Promise<{ deletions: snapshots.Deletion[]; deliveries: string[] } | null> {
  const [row] = await selectRows<{
    deleted: boolean;
    deletions: snapshots.Deletion[];
    deliveries: string[];
  }>(
    db,
    sql`with gone as (delete from users where id = ${userId} returning id),
        owned as (select id, name from projects
                  where owner_id = ${userId} and exists(select 1 from gone)),
        scheduled as (${snapshots.scheduleDeletions(
          sql`select ${snapshots.projectPrefixSql(sql`id`)} from owned`,
        )}),
        events as (${webhooksOutbox.projectDeletedEvents(sql`owned`)})
        select exists(select 1 from gone) as deleted,
               ${snapshots.deletionsJson("scheduled")} as deletions,
               ${webhooksOutbox.deliveryIds("events")} as deliveries`,
  );
  return row?.deleted ? { deletions: row.deletions, deliveries: row.deliveries } : null;
}

/** Admin listing, newest first, `q` matching email or name. */
export async function listUsers({
  db,
  q,
  pagination,
}: {
  db: Database;
  q?: string;
  pagination: Pagination;
}): Promise<Page<User>> {
  const pattern = q ? `%${q.replace(/[\\%_]/g, "\\$&")}%` : null;
  const rows = await selectRows<{ item: User; sort_at: string }>(
    db,
    sql`select ${userJson("u")} as item, api_time(u.created_at) as sort_at from users u
        where (${pattern}::text is null or u.email ilike ${pattern} or u.name ilike ${pattern})
          and ${createdBefore("u", pagination.cursor)}
        order by u.created_at desc, u.id desc
        limit ${pagination.limit + 1}`,
  );
  return createdAtPage(rows, pagination.limit);
}
