import type { Context } from "hono";
import type { AppEnv } from "../app";
import * as authUtils from "../auth/utils";
import { ChunkNotFound } from "../chunks/exceptions";
import type { ChunkWithUrl } from "../chunks/schemas";
import * as chunksService from "../chunks/service";
import { getConfig } from "../config";
import { getDb, selectRows, sql } from "../database";
import { enqueueCommitted } from "../ingestion/messages";
import { quotaLimits } from "../limits/quotas";
import * as rateLimits from "../limits/rate-limits";
import { createdAtPage, type Page, type Pagination } from "../pagination";
import type { ProjectRole } from "../projects/constants";
import * as projectsService from "../projects/service";
import type { SearchRequest, SearchResponse } from "../search/schemas";
import * as searchService from "../search/service";
import { SharedLinkNotFound } from "../shares/exceptions";
import * as sharesService from "../shares/service";
import { fetchSettings } from "../urls/config";
import type { UrlStatus } from "../urls/constants";
import { UrlNotFound } from "../urls/exceptions";
import type { Url } from "../urls/schemas";
import * as urlsService from "../urls/service";

/**
 * What an MCP request may do, bound to one project and one caller: the tools call these and
 * never see who the caller is. A member's calls go through the REST services (the role is
 * checked again in each statement) and count against the same rate limits as the REST
 * endpoints; a public link's are read-only and resolve its token in every statement.
 */
export interface ProjectAccess {
  search(input: SearchRequest): Promise<SearchResponse>;
  listUrls(status: UrlStatus | undefined, pagination: Pagination): Promise<Page<Url>>;
  getUrl(urlId: string): Promise<Url>;
  getChunk(chunkId: string): Promise<ChunkWithUrl>;
  /** Editors and owners calling with write scope only. */
  addUrls?(urls: string[]): Promise<Url[]>;
}

/**
 * A member's access to a project: 404 when the caller has no role on it (one statement). A
 * `read` API key gets no `addUrls`, whatever the owner's role.
 *
 * @example
 * const access = await memberAccess(c, projectId);
 */
export async function memberAccess(c: Context<AppEnv>, projectId: string): Promise<ProjectAccess> {
  const { env } = c;
  const db = getDb(env);
  const config = getConfig(env);
  const caller = c.get("caller");
  const [row] = await selectRows<{ role: ProjectRole | null }>(
    db,
    sql`select ${projectsService.callerRole(projectId, caller.userId)} as role`,
  );
  const role = projectsService.requireRole(row?.role, "viewer");
  const call = { db, userId: caller.userId, projectId };
  const key = caller.userId;
  const access: ProjectAccess = {
    async search(input) {
      await rateLimits.consume(c, rateLimits.searchChecks(key, input.mode));
      return searchService.searchProject({ ...call, env, config, input });
    },
    listUrls: (status, pagination) => urlsService.listUrls({ ...call, status, pagination }),
    getUrl: (urlId) => urlsService.getUrl({ ...call, urlId }),
    getChunk: (chunkId) => chunksService.getChunk({ ...call, chunkId }),
  };
  if (caller.scope === "write" && projectsService.roleAtLeast(role, "editor")) {
    access.addUrls = async (inputs) => {
      await rateLimits.consume(c, [
        { policy: "writes", key },
        { policy: "ingest", key: `${projectId}:${key}` },
      ]);
      const urls = urlsService.screenUrls(
        inputs,
        fetchSettings(config).allowHosts,
        (index) => `urls.${index}`,
      );
      const limit = quotaLimits(config).urls_per_project;
      const { items, createdIds } = await urlsService.addUrls({ ...call, urls, limit });
      await enqueueCommitted(env.INGEST_QUEUE, createdIds);
      return items;
    };
  }
  return access;
}

/**
 * A public link's read-only access: 404 `SHARED_LINK_NOT_FOUND` when the token is not live.
 * Every later statement resolves the token again, so a link revoked meanwhile stops working.
 *
 * @example
 * const access = await linkAccess(c, token);
 */
export async function linkAccess(c: Context<AppEnv>, token: string): Promise<ProjectAccess> {
  const { env } = c;
  const db = getDb(env);
  const config = getConfig(env);
  const project = sharesService.sharedProjectId(await authUtils.sha256Hex(token));
  const [row] = await selectRows<{ project_id: string | null }>(
    db,
    sql`select ${project} as project_id`,
  );
  if (!row?.project_id) throw new SharedLinkNotFound();
  return {
    search: (input) => searchService.searchShared({ db, env, config, token, input }),
    async listUrls(status, pagination) {
      const rows = await selectRows<{ item: Url; sort_at: string }>(
        db,
        urlsService.urlsPage(project, status, pagination),
      );
      return createdAtPage(rows, pagination.limit);
    },
    async getUrl(urlId) {
      const [found] = await selectRows<{ url: Url | null }>(
        db,
        sql`select (${urlsService.urlById(urlId, project)}) as url`,
      );
      if (!found?.url) throw new UrlNotFound();
      return found.url;
    },
    async getChunk(chunkId) {
      const [found] = await selectRows<{ chunk: ChunkWithUrl | null }>(
        db,
        sql`select (${chunksService.chunkWithUrl(chunkId, project)}) as chunk`,
      );
      if (!found?.chunk) throw new ChunkNotFound();
      return found.chunk;
    },
  };
}
