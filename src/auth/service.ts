import { type Database, selectRows, sql } from "../database";
import { QuotaExceeded, underQuota } from "../limits/quotas";
import { createdAtPage, createdBefore, type Page, type Pagination } from "../pagination";
import * as projectsService from "../projects/service";
import type { User } from "../users/schemas";
import * as usersService from "../users/service";
import type { AuthSettings } from "./config";
import { API_KEY_PREFIX, VISIBLE_PREFIX_LENGTH } from "./constants";
import {
  ApiKeyNotFound,
  ApiKeyProjectUnknown,
  EmailTaken,
  InvalidCredentials,
  RefreshTokenInvalid,
  RefreshTokenReused,
} from "./exceptions";
import type { ApiKey, ApiKeyCreated, LoggedOut, TokenPair } from "./schemas";
import { issueAccessToken } from "./tokens";
import { DUMMY_PASSWORD_HASH, hashPassword, randomToken, sha256Hex, verifyPassword } from "./utils";

interface NewRefreshToken {
  token: string;
  hash: string;
  expiresAt: string;
}

async function newRefreshToken(settings: AuthSettings): Promise<NewRefreshToken> {
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + settings.refreshTokenTtlDays * 86_400_000).toISOString();
  return { token, hash: await sha256Hex(token), expiresAt };
}

async function tokenPair(
  settings: AuthSettings,
  user: User,
  refresh: NewRefreshToken,
): Promise<TokenPair> {
  return {
    user,
    access_token: await issueAccessToken(settings, user),
    refresh_token: refresh.token,
    token_type: "Bearer",
    expires_in: settings.accessTokenTtlSeconds,
  };
}

/**
 * Creates the account and its first refresh token in one statement; concurrent registrations of
 * one email (any letter case) meet the unique index and all but one get 409.
 */
export async function register({
  db,
  settings,
  input,
}: {
  db: Database;
  settings: AuthSettings;
  input: { email: string; password: string; name?: string };
}): Promise<TokenPair> {
  const passwordHash = await hashPassword(input.password);
  const refresh = await newRefreshToken(settings);
  const role = settings.adminEmails.includes(input.email.toLowerCase()) ? "admin" : "user";
  const [row] = await selectRows<{ user: User | null }>(
    db,
    sql`with created as (
          insert into users (email, name, password_hash, role)
          values (${input.email}, ${input.name ?? null}, ${passwordHash}, ${role})
          on conflict ((lower(email))) do nothing
          returning *
        ), token as (
          insert into refresh_tokens (user_id, family_id, token_hash, expires_at)
          select id, gen_random_uuid(), ${refresh.hash}, ${refresh.expiresAt} from created
        )
        select (select ${usersService.userJson("u")} from created u) as user`,
  );
  if (!row?.user) throw new EmailTaken();
  return tokenPair(settings, row.user, refresh);
}

/**
 * Checks the password between two statements (the hash must be read before it can be checked);
 * an unknown email verifies a dummy hash so both failures take the same time.
 */
export async function login({
  db,
  settings,
  input,
}: {
  db: Database;
  settings: AuthSettings;
  input: { email: string; password: string };
}): Promise<TokenPair> {
  const [found] = await selectRows<{ id: string; password_hash: string }>(
    db,
    sql`select id, password_hash from users where lower(email) = lower(${input.email})`,
  );
  const verdict = await verifyPassword(input.password, found?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!found || !verdict.ok) throw new InvalidCredentials();
  const rehash = verdict.needsRehash ? await hashPassword(input.password) : null;
  const refresh = await newRefreshToken(settings);
  const [row] = await selectRows<{ user: User | null }>(
    db,
    sql`with account as (
          update users set password_hash = coalesce(${rehash}, password_hash)
          where id = ${found.id} returning *
        ), token as (
          insert into refresh_tokens (user_id, family_id, token_hash, expires_at)
          select id, gen_random_uuid(), ${refresh.hash}, ${refresh.expiresAt} from account
        )
        select (select ${usersService.userJson("u")} from account u) as user`,
  );
  if (!row?.user) throw new InvalidCredentials();
  return tokenPair(settings, row.user, refresh);
}

/**
 * Rotates a refresh token with one compare-and-swap statement. Of two concurrent refreshes only
 * one matches `rotated_at is null`; presenting a token that was already rotated means it leaked,
 * so its whole family is revoked.
 */
export async function refresh({
  db,
  settings,
  refreshToken,
}: {
  db: Database;
  settings: AuthSettings;
  refreshToken: string;
}): Promise<TokenPair> {
  const presentedHash = await sha256Hex(refreshToken);
  const next = await newRefreshToken(settings);
  const [row] = await selectRows<{ known: boolean; reused: boolean; user: User | null }>(
    db,
    sql`with presented as (
          select * from refresh_tokens where token_hash = ${presentedHash}
        ), rotated as (
          update refresh_tokens set rotated_at = now()
          where token_hash = ${presentedHash} and rotated_at is null
            and revoked_at is null and expires_at > now()
          returning user_id, family_id
        ), revoked as (
          update refresh_tokens set revoked_at = now()
          where family_id = (select family_id from presented where rotated_at is not null)
            and revoked_at is null
        ), issued as (
          insert into refresh_tokens (user_id, family_id, token_hash, expires_at)
          select user_id, family_id, ${next.hash}, ${next.expiresAt} from rotated
        )
        select exists(select 1 from presented) as known,
               exists(select 1 from presented where rotated_at is not null) as reused,
               (select ${usersService.userJson("u")} from users u
                where u.id = (select user_id from rotated)) as user`,
  );
  if (row?.reused) throw new RefreshTokenReused();
  if (!row?.user) throw new RefreshTokenInvalid();
  return tokenPair(settings, row.user, next);
}

/** Revokes the presented token's family; unknown tokens are 401 so typos do not look like success. */
export async function logout({ db, refreshToken }: { db: Database; refreshToken: string }) {
  const [row] = await selectRows<{ known: boolean }>(
    db,
    sql`with presented as (
          select family_id from refresh_tokens where token_hash = ${await sha256Hex(refreshToken)}
        ), revoked as (
          update refresh_tokens set revoked_at = now()
          where family_id in (select family_id from presented) and revoked_at is null
        )
        select exists(select 1 from presented) as known`,
  );
  if (!row?.known) throw new RefreshTokenInvalid();
}

function apiKeyJson(alias: string) {
  const a = sql.raw(alias);
  return sql`json_build_object('id', ${a}.id, 'name', ${a}.name, 'prefix', ${a}.prefix,
    'scope', ${a}.scope, 'project_ids', to_json(${a}.project_ids),
    'created_at', api_time(${a}.created_at), 'expires_at', api_time(${a}.expires_at),
    'last_used_at', api_time(${a}.last_used_at))`;
}

/**
 * Creates a key; a key limited to projects is only inserted when the caller can see every one
 * of them (checked in the same statement), else 422; and only while the caller has fewer than
 * `limit` unexpired keys, else 409 `QUOTA_EXCEEDED`.
 */
export async function createApiKey({
  db,
  userId,
  input,
  limit,
}: {
  db: Database;
  userId: string;
  input: { name: string; expires_at?: string; scope: "read" | "write"; project_ids?: string[] };
  limit: number;
}): Promise<ApiKeyCreated> {
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const projectIds = input.project_ids ? JSON.stringify(input.project_ids) : null;
  const [row] = await underQuota<{ fits: boolean; api_key: ApiKey | null }>(
    db,
    "api_keys_per_user",
    userId,
    sql`with wanted as (
          select value::uuid as id from json_array_elements_text(${projectIds}::json)
        ),
        room as (
          select count(*) < ${limit} as fits from api_keys
          where user_id = ${userId} and (expires_at is null or expires_at > now())
        ),
        created as (
          insert into api_keys as k (user_id, name, prefix, key_hash, expires_at, scope, project_ids)
          select ${userId}, ${input.name}, ${key.slice(0, VISIBLE_PREFIX_LENGTH)},
                 ${await sha256Hex(key)}, ${input.expires_at ?? null}::timestamptz, ${input.scope},
                 case when ${projectIds}::json is null then null
                      else (select array_agg(id) from wanted) end
          where (select fits from room) and not exists (
            select 1 from wanted w
            where ${projectsService.callerRole(sql`w.id`, userId)} is null)
          returning *
        )
        select (select fits from room) as fits, (select ${apiKeyJson("k")} from created k) as api_key`,
  );
  if (!row?.fits) throw new QuotaExceeded("api_keys_per_user", limit);
  if (!row.api_key) throw new ApiKeyProjectUnknown();
  const { last_used_at: _unused, ...created } = row.api_key;
  return { ...created, key };
}

export async function listApiKeys({
  db,
  userId,
  pagination,
}: {
  db: Database;
  userId: string;
  pagination: Pagination;
}): Promise<Page<ApiKey>> {
  const rows = await selectRows<{ item: ApiKey; sort_at: string }>(
    db,
    sql`select ${apiKeyJson("k")} as item, api_time(k.created_at) as sort_at
        from api_keys k
        where k.user_id = ${userId} and ${createdBefore("k", pagination.cursor)}
        order by k.created_at desc, k.id desc
        limit ${pagination.limit + 1}`,
  );
  return createdAtPage(rows, pagination.limit);
}

/** Deletes one of the caller's keys; someone else's key is as absent as a missing one. */
export async function deleteApiKey({
  db,
  userId,
  keyId,
}: {
  db: Database;
  userId: string;
  keyId: string;
}) {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`delete from api_keys where id = ${keyId} and user_id = ${userId} returning id`,
  );
  if (rows.length === 0) throw new ApiKeyNotFound();
}

/**
 * Revokes every refresh token of the account and, with `includeApiKeys`, deletes every API key,
 * in one statement. Access tokens are stateless and stay valid until they expire.
 */
export async function logoutAll({
  db,
  settings,
  userId,
  includeApiKeys,
}: {
  db: Database;
  settings: AuthSettings;
  userId: string;
  includeApiKeys: boolean;
}): Promise<LoggedOut> {
  const [row] = await selectRows<{ refresh: number; keys: number }>(
    db,
    sql`with revoked as (
          update refresh_tokens set revoked_at = now()
          where user_id = ${userId} and revoked_at is null returning id
        ), deleted as (
          delete from api_keys where user_id = ${userId} and ${includeApiKeys} returning id
        )
        select (select count(*)::int from revoked) as refresh,
               (select count(*)::int from deleted) as keys`,
  );
  return {
    refresh_tokens_revoked: row?.refresh ?? 0,
    api_keys_revoked: row?.keys ?? 0,
    access_tokens_valid_for_seconds: settings.accessTokenTtlSeconds,
  };
}
