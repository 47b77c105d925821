import { AccountGone } from "../auth/exceptions";
import { currentChunk } from "../chunks/current";
import { type Database, type SQL, selectRows, sql } from "../database";
import { ValidationFailed } from "../exceptions";
import * as snapshots from "../ingestion/snapshots";
import { QuotaExceeded, underQuota } from "../limits/quotas";
import { createdAtPage, createdBefore, type Page, type Pagination } from "../pagination";
import * as webhooksOutbox from "../webhooks/outbox";
import {
  CHUNK_SIZE_DEFAULT,
  defaultChunkOverlap,
  PROJECT_ROLES,
  type ProjectRole,
} from "./constants";
import { InsufficientRole, ProjectNotFound } from "./exceptions";
import type { Project, ProjectCreate, ProjectUpdate } from "./schemas";

/**
 * The caller's role on a project as a scalar SQL subquery: `'owner'`, `'editor'`, `'viewer'`, or
 * null when the project does not exist or the caller has no role on it. Fold it into the one
 * statement of a request (a CTE beside the result), then hand the role to {@link requireRole}:
 * null → 404, too weak → 403.
 *
 * Administrators get no implicit access: a project is private to its owner and the people it is
 * shared with, so an admin who is neither is a stranger here (404) like anyone else. Admin
 * powers stay in admin-only endpoints (`/v1/users`, `/v1/system/stats`).
 *
 * `projectId` is a uuid string (bound as a parameter) or SQL such as `sql\`u.project_id\``; the
 * subquery uses its own `_role_p`/`_role_s` aliases so an outer `p` cannot be captured.
 *
 * @example
 * const [row] = await selectRows<{ role: ProjectRole | null; url: Url | null }>(db, sql`
 *   with access as (select ${callerRole(projectId, userId)} as role)
 *   select (select role from access) as role,
 *          (select ${urlJson("u")} from urls u where u.id = ${urlId} and u.project_id = ${projectId}
 *             and (select role from access) in ${rolesAtLeast("viewer")}) as url`);
 * requireRole(row?.role ?? null, "viewer");
 */
export function callerRole(projectId: SQL | string, userId: string): SQL {
  const id = typeof projectId === "string" ? sql`${projectId}::uuid` : projectId;
  return sql`(select case when _role_p.owner_id = ${userId}::uuid then 'owner'
      else (select _role_s.role from project_shares _role_s
            where _role_s.project_id = _role_p.id and _role_s.user_id = ${userId}::uuid) end
    from projects _role_p where _role_p.id = ${id})`;
}

/**
 * Whether `role` includes everything `needed` may do.
 *
 * @example
 * roleAtLeast("editor", "viewer"); // true
 * roleAtLeast(null, "viewer"); // false
 */
export function roleAtLeast(role: ProjectRole | null | undefined, needed: ProjectRole): boolean {
  return role != null && PROJECT_ROLES.indexOf(role) >= PROJECT_ROLES.indexOf(needed);
}

/**
 * A SQL list of the roles at least `needed`, for `role in ${rolesAtLeast("editor")}`. Built from
 * constants only, so inlining it is safe.
 *
 * @example
 * sql`update urls set … where … and (select role from access) in ${rolesAtLeast("editor")}`
 */
export function rolesAtLeast(needed: ProjectRole): SQL {
  const roles = PROJECT_ROLES.slice(PROJECT_ROLES.indexOf(needed));
  return sql.raw(`(${roles.map((role) => `'${role}'`).join(", ")})`);
}

/**
 * Turns the role a statement saw into the answer: null → 404 `PROJECT_NOT_FOUND`, weaker than
 * `needed` → 403 `INSUFFICIENT_ROLE`; otherwise returns it.
 *
 * @example
 * const role = requireRole(row?.role ?? null, "editor");
 */
export function requireRole(
  role: ProjectRole | null | undefined,
  needed: ProjectRole,
): ProjectRole {
  if (role == null) throw new ProjectNotFound();
  if (!roleAtLeast(role, needed)) throw new InsufficientRole(role, needed);
  return role;
}

/**
 * The project object built by Postgres from row alias `alias`, with `roleExpr` as the caller's
 * role. `publicView` drops the owner's id and email (a public link shows the owner's name only).
 *
 * @example
 * sql`select ${projectJson("p", sql`'owner'`)} as project from projects p where p.id = ${id}`
 */
export function projectJson(alias: string, roleExpr: SQL, { publicView = false } = {}): SQL {
  const a = sql.raw(alias);
  const owner = publicView
    ? sql`json_build_object('name', o.name)`
    : sql`json_build_object('id', o.id, 'name', o.name, 'email', o.email)`;
  return sql`json_build_object(
    'id', ${a}.id, 'name', ${a}.name, 'description', ${a}.description,
    'settings', json_build_object('chunk_size', ${a}.chunk_size,
      'chunk_overlap', ${a}.chunk_overlap, 'refresh_interval_hours', ${a}.refresh_interval_hours),
    'owner', (select ${owner} from users o where o.id = ${a}.owner_id),
    'role', ${roleExpr},
    'counts', (select json_build_object('urls', count(*),
        'urls_ready', count(*) filter (where pu.status = 'ready'),
        'urls_failed', count(*) filter (where pu.status = 'failed'),
        'chunks', (select count(*) from chunks pc
                 where pc.project_id = ${a}.id and ${currentChunk("pc")}))
      from urls pu where pu.project_id = ${a}.id),
    'created_at', api_time(${a}.created_at), 'updated_at', api_time(${a}.updated_at))`;
}

/**
 * One page of a list inside a project, authorized in the same statement. `listed` selects
 * `created_at, id, item, sort_at` newest first with `limit + 1` rows (see `createdBefore`);
 * it only runs when the caller's role is at least `needed`.
 *
 * @example
 * return listInProject<Share>({ db, userId, projectId, needed: "viewer", pagination, listed: sql`
 *   select s.created_at, s.id, ${shareJson("s", "u")} as item, api_time(s.created_at) as sort_at
 *   from project_shares s join users u on u.id = s.user_id
 *   where s.project_id = ${projectId} and ${createdBefore("s", pagination.cursor)}
 *   order by s.created_at desc, s.id desc limit ${pagination.limit + 1}` });
 */
export async function listInProject<T extends { id: string }>({
  db,
  userId,
  projectId,
  needed,
  pagination,
  listed,
}: {
  db: Database;
  userId: string;
  projectId: string;
  needed: ProjectRole;
  pagination: Pagination;
  listed: SQL;
}): Promise<Page<T>> {
  const [row] = await selectRows<{
    role: ProjectRole | null;
    rows: { item: T; sort_at: string }[];
  }>(
    db,
    sql`with access as (select ${callerRole(projectId, userId)} as role),
        page as (
          select * from (${listed}) listed
          where (select role from access) in ${rolesAtLeast(needed)}
        )
        select (select role from access) as role,
               coalesce((select json_agg(json_build_object('item', item, 'sort_at', sort_at)
                                         order by created_at desc, id desc) from page),
                        '[]'::json) as rows`,
  );
  requireRole(row?.role, needed);
  return createdAtPage(row?.rows ?? [], pagination.limit);
}

/**
 * Creates a project owned by the caller, unless they own `limit` already (409
 * `QUOTA_EXCEEDED`); 401 when the caller's account is gone.
 */
export async function createProject({
  db,
  userId,
  input,
  limit,
}: {
  db: Database;
  userId: string;
  input: ProjectCreate;
  limit: number;
}): Promise<Project> {
  const chunkSize = input.settings?.chunk_size ?? CHUNK_SIZE_DEFAULT;
  const chunkOverlap = input.settings?.chunk_overlap ?? defaultChunkOverlap(chunkSize);
  const [row] = await underQuota<{ user_found: boolean; project: Project | null }>(
    db,
    "projects_per_user",
    userId,
    sql`with created as (
          insert into projects (owner_id, name, description, chunk_size, chunk_overlap,
                                refresh_interval_hours)
          select u.id, ${input.name}::text, ${input.description ?? null}::text, ${chunkSize}::int,
                 ${chunkOverlap}::int,
                 ${input.settings?.refresh_interval_hours ?? null}::int
          from users u
          where u.id = ${userId}
            and (select count(*) from projects where owner_id = ${userId}) < ${limit}
          returning *
        )
        select exists(select 1 from users where id = ${userId}) as user_found,
               (select ${projectJson("p", sql`'owner'`)} from created p) as project`,
  );
  if (!row?.user_found) throw new AccountGone();
  if (!row.project) throw new QuotaExceeded("projects_per_user", limit);
  return row.project;
}

/**
 * Projects the caller owns or is shared on, newest first; `q` matches the name, `role` theirs,
 * `onlyIds` (a project-limited API key) keeps those projects only.
 */
export async function listProjects({
  db,
  userId,
  onlyIds = null,
  q,
  role,
  pagination,
}: {
  db: Database;
  userId: string;
  onlyIds?: string[] | null;
  q?: string;
  role?: ProjectRole;
  pagination: Pagination;
}): Promise<Page<Project>> {
  const only = onlyIds ? JSON.stringify(onlyIds) : null;
  const pattern = q ? `%${q.replace(/[\\%_]/g, "\\$&")}%` : null;
  // One statement, one snapshot: a project deleted meanwhile is either whole or absent.
  const rows = await selectRows<{ item: Project; sort_at: string }>(
    db,
    sql`with mine as (
          select p.*, 'owner' as role from projects p where p.owner_id = ${userId}
          union all
          select p.*, s.role from project_shares s join projects p on p.id = s.project_id
          where s.user_id = ${userId} and p.owner_id <> ${userId}
        )
        select ${projectJson("m", sql`m.role`)} as item, api_time(m.created_at) as sort_at
        from mine m
        where (${role ?? null}::text is null or m.role = ${role ?? null})
          and (${pattern}::text is null or m.name ilike ${pattern})
          and (${only}::json is null
               or m.id in (select value::uuid from json_array_elements_text(${only}::json)))
          and ${createdBefore("m", pagination.cursor)}
        order by m.created_at desc, m.id desc
        limit ${pagination.limit + 1}`,
  );
  return createdAtPage(rows, pagination.limit);
}

/** One project the caller can see (viewer+). */
export async function getProject({
  db,
  userId,
  projectId,
}: {
  db: Database;
  userId: string;
  projectId: string;
}): Promise<Project> {
  const [row] = await selectRows<{ role: ProjectRole | null; project: Project | null }>(
    db,
    sql`with access as (select ${callerRole(projectId, userId)} as role)
        select a.role, (select ${projectJson("p", sql`a.role`)} from projects p
                        where p.id = ${projectId} and a.role is not null) as project
        from access a`,
  );
  requireRole(row?.role, "viewer");
  if (!row?.project) throw new ProjectNotFound();
  return row.project;
}

/**
 * Updates name, description and settings (editor+). When only one of `chunk_size` and
 * `chunk_overlap` is sent, the pair is checked against the stored other one in the same
 * statement, so a concurrent change cannot slip an invalid pair past the check.
 */
export async function updateProject({
  db,
  userId,
  projectId,
  input,
}: {
  db: Database;
  userId: string;
  projectId: string;
  input: ProjectUpdate;
}): Promise<Project> {
  const settings = input.settings ?? {};
  const setDescription = input.description !== undefined;
  const setRefresh = settings.refresh_interval_hours !== undefined;
  const [row] = await selectRows<{
    role: ProjectRole | null;
    chunk_size: number | null;
    chunk_overlap: number | null;
    project: Project | null;
  }>(
    db,
    sql`with access as (select ${callerRole(projectId, userId)} as role),
        next as (
          select coalesce(${settings.chunk_size ?? null}::int, p.chunk_size) as chunk_size,
                 coalesce(${settings.chunk_overlap ?? null}::int, p.chunk_overlap) as chunk_overlap,
                 (p.chunk_size, p.chunk_overlap) as previous
          from projects p
          where p.id = ${projectId} and (select role from access) in ${rolesAtLeast("editor")}
        ),
        updated as (
          update projects p set
            name = coalesce(${input.name ?? null}, p.name),
            description = case when ${setDescription}::boolean then ${input.description ?? null}
                          else p.description end,
            chunk_size = n.chunk_size,
            chunk_overlap = n.chunk_overlap,
            refresh_interval_hours = case when ${setRefresh}::boolean
              then ${settings.refresh_interval_hours ?? null}::int else p.refresh_interval_hours end,
            updated_at = now()
          from next n
          where p.id = ${projectId} and n.chunk_overlap * 2 <= n.chunk_size
          returning p.*
        ),
        -- New chunk settings apply at each url's next refresh; forgetting the validators makes
        -- that refresh fetch and chunk the page again instead of settling for a 304.
        rechunk as (
          update urls set etag = null, last_modified = null
          where project_id in (select id from updated)
            and exists (select 1 from next n where (n.chunk_size, n.chunk_overlap) <> n.previous)
        )
        select (select role from access) as role, n.chunk_size, n.chunk_overlap,
               (select ${projectJson("u", sql`(select role from access)`)} from updated u) as project
        from (select 1) one left join next n on true`,
  );
  requireRole(row?.role, "editor");
  if (!row?.project) {
    const size = row?.chunk_size ?? 0;
    const field = settings.chunk_overlap === undefined ? "chunk_size" : "chunk_overlap";
    throw new ValidationFailed([
      {
        path: `body.settings.${field}`,
        message: `chunk_overlap (${row?.chunk_overlap}) must be at most half of chunk_size (${size})`,
      },
    ]);
  }
  return row.project;
}

/**
 * Deletes a project (owner only); urls, chunks, shares and links go with it by cascade, and the
 * deletion of its snapshots and its `project.deleted` webhook deliveries are recorded in the same
 * statement (both returned for sending).
 */
export async function deleteProject({
  db,
  userId,
  projectId,
}: {
  db: Database;
  userId: string;
  projectId: string;
}): Promise<{ deletions: snapshots.Deletion[]; deliveries: string[] }> {
  const [row] = await selectRows<{
    role: ProjectRole | null;
    deleted: boolean;
    deletions: snapshots.Deletion[];
    deliveries: string[];
  }>(
    db,
    sql`with access as (select ${callerRole(projectId, userId)} as role),
        gone as (
          delete from projects where id = ${projectId} and (select role from access) = 'owner'
          returning id, name
        ),
        scheduled as (
          ${snapshots.scheduleDeletions(sql`select ${snapshots.projectPrefixSql(sql`id`)} from gone`)}
        ),
        events as (${webhooksOutbox.projectDeletedEvents(sql`gone`)})
        select (select role from access) as role, exists(select 1 from gone) as deleted,
               ${snapshots.deletionsJson("scheduled")} as deletions,
               ${webhooksOutbox.deliveryIds("events")} as deliveries`,
  );
  requireRole(row?.role, "owner");
  if (!row?.deleted) throw new ProjectNotFound();
  return { deletions: row.deletions, deliveries: row.deliveries };
}
