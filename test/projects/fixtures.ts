import { env } from "cloudflare:workers";
import { sha256Hex } from "../../src/auth/utils";
import type { Env } from "../../src/config";
import { getDb, type SQL, selectRows, sql } from "../../src/database";
import { call, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

/** Direct SQL against the test database, for arranging state and checking what is stored. */
export function query<T>(statement: SQL): Promise<T[]> {
  // The test env carries the same bindings as the Worker's; its generated type lacks the index.
  return selectRows<T>(getDb(env as unknown as Env), statement);
}

/**
 * A user with the admin role. Promoted in SQL rather than registered through ADMIN_EMAILS, which
 * only one test file can register; the role reaches the JWT at the next login.
 */
export async function createAdmin(): Promise<TestUser> {
  const user = await createUser({ name: "Admin" });
  await query(sql`update users set role = 'admin' where id = ${user.id}`);
  const body = await expectStatus<{ access_token: string; user: { role: string } }>(
    await call("POST", "/v1/auth/login", { body: { email: user.email, password: user.password } }),
    200,
  );
  if (body.user.role !== "admin") throw new Error("promotion did not reach the token");
  return { ...user, accessToken: body.access_token };
}

export interface SeededProject {
  projectId: string;
  shareIds: Record<string, string>;
  linkId: string;
  linkToken: string;
}

/**
 * One project owned by `ownerId`, shared as `shares` says, with one live public link, inserted
 * in one statement (fast enough to give every permission-matrix cell its own project).
 */
export async function seedProject(
  ownerId: string,
  shares: Record<string, { userId: string; role: "viewer" | "editor" }> = {},
  name = `seeded ${crypto.randomUUID().slice(0, 8)}`,
): Promise<SeededProject> {
  const linkToken = `lbp_seed${crypto.randomUUID().replaceAll("-", "")}`;
  const entries = Object.entries(shares);
  const [row] = await query<{
    project_id: string;
    link_id: string;
    shares: Record<string, string>;
  }>(
    sql`with p as (
          insert into projects (owner_id, name, chunk_size, chunk_overlap)
          values (${ownerId}, ${name}, 1000, 200) returning id
        ), s as (
          insert into project_shares (project_id, user_id, role)
          select p.id, x.user_id::uuid, x.role from p,
            json_to_recordset(${JSON.stringify(entries.map(([key, v]) => ({ key, user_id: v.userId, role: v.role })))}::json)
              as x(key text, user_id text, role text)
          returning id, user_id
        ), l as (
          insert into project_links (project_id, token_hash, prefix)
          select id, ${await sha256Hex(linkToken)}, ${linkToken.slice(0, 10)} from p returning id
        )
        select (select id from p) as project_id, (select id from l) as link_id,
               coalesce((select json_object_agg(x.key, s.id)
                         from s join json_to_recordset(${JSON.stringify(entries.map(([key, v]) => ({ key, user_id: v.userId })))}::json)
                           as x(key text, user_id text) on x.user_id::uuid = s.user_id), '{}'::json) as shares`,
  );
  if (!row) throw new Error("seed failed");
  return { projectId: row.project_id, shareIds: row.shares, linkId: row.link_id, linkToken };
}

/** One ready url with a snapshot key and one chunk, for endpoints that address them by id. */
export async function seedUrlWithChunk(
  projectId: string,
): Promise<{ urlId: string; chunkId: string }> {
  const [row] = await query<{ url_id: string; chunk_id: string }>(
    sql`with u as (
          insert into urls (project_id, url, normalized_url, status, content_hash, snapshot_key)
          values (${projectId}, 'https://example.com/seeded', 'https://example.com/seeded', 'ready',
                  'seeded', 'projects/' || ${projectId} || '/urls/seeded/seeded')
          returning id
        ), c as (
          insert into chunks (url_id, project_id, position, text, token_count, content_hash)
          select id, ${projectId}, 0, 'a seeded chunk of text', 5, 'seeded' from u
          returning id
        )
        select (select id from u) as url_id, (select id from c) as chunk_id`,
  );
  if (!row) throw new Error("seed failed");
  return { urlId: row.url_id, chunkId: row.chunk_id };
}

/**
 * A webhook endpoint on a port nothing listens on and the address screen refuses, so a delivery
 * never leaves the machine even if an event reached it.
 */
export async function seedWebhook(projectId: string): Promise<string> {
  const [row] = await query<{ id: string }>(
    sql`insert into webhook_endpoints (project_id, url, events, secret)
        values (${projectId}, 'http://127.0.0.1:9/hook', '{url.ready,project.deleted}',
                ${`whsec_${btoa("s".repeat(32))}`})
        returning id`,
  );
  if (!row) throw new Error("seed failed");
  return row.id;
}

/** Inserts urls with these statuses, each with `chunksPerUrl` chunks. */
export async function seedUrls(projectId: string, statuses: string[], chunksPerUrl = 0) {
  await query(
    sql`with u as (
          insert into urls (project_id, url, normalized_url, status)
          select ${projectId}, 'https://example.com/' || i, 'https://example.com/' || i, st
          from unnest(${`{${statuses.join(",")}}`}::text[]) with ordinality as t(st, i)
          returning id
        )
        insert into chunks (url_id, project_id, position, text, token_count, content_hash)
        select u.id, ${projectId}, n, 'chunk ' || n, 2, md5(n::text)
        from u, generate_series(1, ${chunksPerUrl}::int) as n`,
  );
}

/**
 * Everything stored about a project (its row, urls, chunks, shares and links) plus the number of
 * projects, as one comparable string: equal before and after means a request changed nothing.
 */
export async function projectFingerprint(projectId: string): Promise<string> {
  const rows = (table: string, order = "id") =>
    sql`(select coalesce(json_agg(to_jsonb(t) order by t.${sql.raw(order)}), '[]'::json)
         from ${sql.raw(table)} t where t.project_id = ${projectId})`;
  const [row] = await query<{ print: unknown }>(
    sql`select json_build_object(
          'project', (select to_jsonb(p) from projects p where p.id = ${projectId}),
          'urls', ${rows("urls")}, 'chunks', ${rows("chunks")},
          'shares', ${rows("project_shares")}, 'links', ${rows("project_links")},
          'webhooks', ${rows("webhook_endpoints")},
          'deliveries', (select coalesce(json_agg(to_jsonb(d) order by d.id), '[]'::json)
                         from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
                         where e.project_id = ${projectId}),
          'projects', (select count(*) from projects)) as print`,
  );
  return JSON.stringify(row?.print);
}
