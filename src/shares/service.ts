import { VISIBLE_PREFIX_LENGTH } from "../auth/constants";
import * as authUtils from "../auth/utils";
import { type Database, type SQL, selectRows, sql } from "../database";
import { QuotaExceeded, underQuota } from "../limits/quotas";
import { createdBefore, type Page, type Pagination } from "../pagination";
import type { ProjectRole } from "../projects/constants";
import * as projectsService from "../projects/service";
import { UserNotFound } from "../users/exceptions";
import { LINK_TOKEN_BYTES, LINK_TOKEN_PREFIX, type ShareRole } from "./constants";
import {
  LinkNotFound,
  SharedLinkNotFound,
  ShareExists,
  ShareNotFound,
  ShareWithOwner,
} from "./exceptions";
import type { Link, LinkCreated, Share, SharedProject } from "./schemas";

interface ProjectCall {
  db: Database;
  userId: string;
  projectId: string;
}

/** The share object from share alias `s` and user alias `u`. */
function shareJson(s: string, u: string): SQL {
  const [a, b] = [sql.raw(s), sql.raw(u)];
  return sql`json_build_object('id', ${a}.id,
    'user', json_build_object('id', ${b}.id, 'name', ${b}.name, 'email', ${b}.email),
    'role', ${a}.role, 'created_at', api_time(${a}.created_at))`;
}

function linkJson(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`json_build_object('id', ${a}.id, 'prefix', ${a}.prefix,
    'expires_at', api_time(${a}.expires_at), 'created_at', api_time(${a}.created_at))`;
}

/**
 * Shares the project with the user whose email matches in any case (owner only). Duplicates are
 * settled by the unique (project, user) constraint with `on conflict do nothing`, not by a check
 * beforehand, so of many concurrent identical requests exactly one creates the share.
 */
export async function createShare({
  db,
  userId,
  projectId,
  email,
  role,
}: ProjectCall & { email: string; role: ShareRole }): Promise<Share> {
  const [row] = await selectRows<{
    role: ProjectRole | null;
    target_found: boolean;
    target_is_owner: boolean;
    share: Share | null;
  }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        target as (
          select t.* from users t
          where lower(t.email) = lower(${email}) and (select role from access) = 'owner'
        ),
        created as (
          insert into project_shares (project_id, user_id, role)
          select ${projectId}::uuid, t.id, ${role}::text from target t where t.id <> ${userId}
          on conflict (project_id, user_id) do nothing
          returning *
        )
        select (select role from access) as role,
               exists(select 1 from target) as target_found,
               exists(select 1 from target where id = ${userId}) as target_is_owner,
               (select ${shareJson("s", "u")} from created s join target u on u.id = s.user_id)
                 as share`,
  );
  projectsService.requireRole(row?.role, "owner");
  if (row?.share) return row.share;
  if (!row?.target_found) throw new UserNotFound("No user has this email.");
  if (row.target_is_owner) throw new ShareWithOwner();
  throw new ShareExists();
}

/** The project's shares, newest first (viewer+: members may see who else is on it). */
export async function listShares({
  db,
  userId,
  projectId,
  pagination,
}: ProjectCall & { pagination: Pagination }): Promise<Page<Share>> {
  return projectsService.listInProject<Share>({
    db,
    userId,
    projectId,
    needed: "viewer",
    pagination,
    listed: sql`select s.created_at, s.id, ${shareJson("s", "u")} as item,
             api_time(s.created_at) as sort_at
      from project_shares s join users u on u.id = s.user_id
      where s.project_id = ${projectId}
        and ${createdBefore("s", pagination.cursor)}
      order by s.created_at desc, s.id desc
      limit ${pagination.limit + 1}`,
  });
}

/** Changes a share's role (owner only). */
export async function updateShare({
  db,
  userId,
  projectId,
  shareId,
  role,
}: ProjectCall & { shareId: string; role: ShareRole }): Promise<Share> {
  const [row] = await selectRows<{ role: ProjectRole | null; share: Share | null }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        updated as (
          update project_shares set role = ${role}
          where id = ${shareId} and project_id = ${projectId}
            and (select role from access) = 'owner'
          returning *
        )
        select (select role from access) as role,
               (select ${shareJson("s", "u")} from updated s join users u on u.id = s.user_id)
                 as share`,
  );
  projectsService.requireRole(row?.role, "owner");
  if (!row?.share) throw new ShareNotFound();
  return row.share;
}

/** Removes a share: the owner removes anyone, a shared user may remove their own (leave). */
export async function deleteShare({
  db,
  userId,
  projectId,
  shareId,
}: ProjectCall & { shareId: string }): Promise<void> {
  const [row] = await selectRows<{ role: ProjectRole | null; found: boolean; deleted: boolean }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        gone as (
          delete from project_shares
          where id = ${shareId} and project_id = ${projectId}
            and ((select role from access) = 'owner' or user_id = ${userId})
          returning id
        )
        select (select role from access) as role,
               exists(select 1 from project_shares
                      where id = ${shareId} and project_id = ${projectId}) as found,
               exists(select 1 from gone) as deleted`,
  );
  projectsService.requireRole(row?.role, "viewer");
  if (row?.deleted) return;
  if (!row?.found) throw new ShareNotFound();
  projectsService.requireRole(row.role, "owner");
}

/**
 * Creates a read-only public link (owner only), unless the project has `limit` live ones (409
 * `QUOTA_EXCEEDED`). The token has 256 random bits and is stored only as its SHA-256; the caller
 * sees it once.
 */
export async function createLink({
  db,
  userId,
  projectId,
  expiresAt,
  limit,
}: ProjectCall & { expiresAt?: string; limit: number }): Promise<LinkCreated> {
  const token = `${LINK_TOKEN_PREFIX}${authUtils.randomToken(LINK_TOKEN_BYTES)}`;
  const [row] = await underQuota<{ role: ProjectRole | null; link: Link | null }>(
    db,
    "links_per_project",
    projectId,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        created as (
          insert into project_links (project_id, token_hash, prefix, expires_at)
          select ${projectId}::uuid, ${await authUtils.sha256Hex(token)}::text,
                 ${token.slice(0, VISIBLE_PREFIX_LENGTH)}::text,
                 ${expiresAt ?? null}::timestamptz
          where (select role from access) = 'owner'
            and (select count(*) from project_links where project_id = ${projectId}
                   and (expires_at is null or expires_at > now())) < ${limit}
          returning *
        )
        select (select role from access) as role, (select ${linkJson("l")} from created l) as link`,
  );
  projectsService.requireRole(row?.role, "owner");
  if (!row?.link) throw new QuotaExceeded("links_per_project", limit);
  const { prefix: _shownOnList, ...link } = row.link;
  return { ...link, token };
}

/** The project's links, newest first, expired ones included (owner only). */
export async function listLinks({
  db,
  userId,
  projectId,
  pagination,
}: ProjectCall & { pagination: Pagination }): Promise<Page<Link>> {
  return projectsService.listInProject<Link>({
    db,
    userId,
    projectId,
    needed: "owner",
    pagination,
    listed: sql`select l.created_at, l.id, ${linkJson("l")} as item, api_time(l.created_at) as sort_at
      from project_links l
      where l.project_id = ${projectId}
        and ${createdBefore("l", pagination.cursor)}
      order by l.created_at desc, l.id desc
      limit ${pagination.limit + 1}`,
  });
}

/** Revokes a link (owner only); it stops working at once. */
export async function deleteLink({
  db,
  userId,
  projectId,
  linkId,
}: ProjectCall & { linkId: string }): Promise<void> {
  const [row] = await selectRows<{ role: ProjectRole | null; deleted: boolean }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        gone as (
          delete from project_links
          where id = ${linkId} and project_id = ${projectId} and (select role from access) = 'owner'
          returning id
        )
        select (select role from access) as role, exists(select 1 from gone) as deleted`,
  );
  projectsService.requireRole(row?.role, "owner");
  if (!row?.deleted) throw new LinkNotFound();
}

/**
 * The project a live public link opens, as a scalar SQL subquery (null when the token is
 * unknown, revoked or expired), for folding into another statement such as a search.
 *
 * The presented token is hashed before it reaches the database, so the index lookup compares
 * SHA-256 digests: its timing can at most reveal how a digest of the attacker's own input
 * relates to stored digests, which says nothing about any token. That is the constant-time
 * property a byte-by-byte comparison of the token itself would lack.
 *
 * @example
 * sql`select … from chunks c where c.project_id = ${sharedProjectId(await authUtils.sha256Hex(token))}`
 */
export function sharedProjectId(tokenHash: string): SQL {
  return sql`(select _link.project_id from project_links _link
    where _link.token_hash = ${tokenHash}
      and (_link.expires_at is null or _link.expires_at > now()))`;
}

/** The read-only public view of the project a link opens. */
export async function getSharedProject({
  db,
  token,
}: {
  db: Database;
  token: string;
}): Promise<SharedProject> {
  const [row] = await selectRows<{ project: SharedProject }>(
    db,
    sql`select ${projectsService.projectJson("p", sql`'viewer'`, { publicView: true })} as project
        from projects p where p.id = ${sharedProjectId(await authUtils.sha256Hex(token))}`,
  );
  if (!row) throw new SharedLinkNotFound();
  return row.project;
}
