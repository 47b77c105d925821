import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MergeSchemaPath } from "hono/types";
import { getPath } from "hono/utils/url";
import type { Mount } from "./api";
import type { AppEnv } from "./app";
import type { authRouter } from "./auth/router";
import type { chunksRouter } from "./chunks/router";
import type { Env } from "./config";
import type { projectMcpRouter, sharedMcpRouter } from "./mcp/router";
import type { projectsRouter } from "./projects/router";
import type { projectSearchRouter, sharedSearchRouter } from "./search/router";
import type { sharedRouter, sharesRouter } from "./shares/router";
import type { systemRouter } from "./system/router";
import type { urlsRouter } from "./urls/router";
import type { usersRouter } from "./users/router";
import type { projectVectorizationRouter, vectorizationRouter } from "./vectorization/router";
import type { webhooksRouter } from "./webhooks/router";

// Startup evaluates this module only. Each router is loaded, with its schemas and services, by
// the first request under its path prefix; the queue consumer and the cron by their first event;
// the OpenAPI document by the first request for it. An isolate pays for what it serves.

/** Routers by the path prefix they are mounted at, in mount order (the OpenAPI document's). */
const MOUNTS = {
  "/v1/system": async () => [(await import("./system/router")).systemRouter],
  "/v1/auth": async () => [(await import("./auth/router")).authRouter],
  "/v1/users": async () => [(await import("./users/router")).usersRouter],
  "/v1/projects": async () => {
    const [projects, shares, urls, chunks, search, vectorization, webhooks, mcp] =
      await Promise.all([
        import("./projects/router"),
        import("./shares/router"),
        import("./urls/router"),
        import("./chunks/router"),
        import("./search/router"),
        import("./vectorization/router"),
        import("./webhooks/router"),
        import("./mcp/router"),
      ]);
    return [
      projects.projectsRouter,
      shares.sharesRouter,
      urls.urlsRouter,
      chunks.chunksRouter,
      search.projectSearchRouter,
      vectorization.projectVectorizationRouter,
      webhooks.webhooksRouter,
      mcp.projectMcpRouter,
    ];
  },
  "/v1/vectorization": async () => [(await import("./vectorization/router")).vectorizationRouter],
  "/v1/shared": async () => {
    const [shares, search, mcp] = await Promise.all([
      import("./shares/router"),
      import("./search/router"),
      import("./mcp/router"),
    ]);
    return [shares.sharedRouter, search.sharedSearchRouter, mcp.sharedMcpRouter];
  },
} satisfies Record<string, () => Promise<Mount[1]>>;

type Prefix = keyof typeof MOUNTS;
const PREFIXES = Object.keys(MOUNTS) as Prefix[];
const DOC_PATHS = new Set(["/openapi.json", "/docs"]);

async function mount(prefixes: readonly Prefix[]): Promise<Mount[]> {
  return Promise.all(prefixes.map(async (prefix) => [prefix, await MOUNTS[prefix]()] as const));
}

/** The app for a path: its prefix's routers, every router for the docs, none for a 404. */
async function buildApp(key: Prefix | "docs" | "none") {
  const { createApi } = await import("./api");
  if (key === "none") return createApi([]);
  if (key !== "docs") return createApi(await mount([key]));
  const [{ withDocs }, mounts] = await Promise.all([import("./openapi"), mount(PREFIXES)]);
  return withDocs(createApi(mounts));
}

const apps = new Map<string, ReturnType<typeof buildApp>>();

function appFor(request: Request) {
  // The path as Hono's router sees it (percent-decoded), so both agree on the prefix.
  const path = getPath(request);
  const key = DOC_PATHS.has(path)
    ? "docs"
    : (PREFIXES.find((prefix) => path === prefix || path.startsWith(`${prefix}/`)) ?? "none");
  let app = apps.get(key);
  if (!app) {
    app = buildApp(key);
    apps.set(key, app);
  }
  return app;
}

type Mounted<Prefix extends string, Router> =
  Router extends OpenAPIHono<AppEnv, infer Schema, "/"> ? MergeSchemaPath<Schema, Prefix> : never;

/** The app's type, for `hono/client`: `hc<AppType>("https://api.example")`. */
export type AppType = OpenAPIHono<
  AppEnv,
  | Mounted<"/v1/system", typeof systemRouter>
  | Mounted<"/v1/auth", typeof authRouter>
  | Mounted<"/v1/users", typeof usersRouter>
  | Mounted<"/v1/projects", typeof projectsRouter>
  | Mounted<"/v1/projects", typeof sharesRouter>
  | Mounted<"/v1/projects", typeof urlsRouter>
  | Mounted<"/v1/projects", typeof chunksRouter>
  | Mounted<"/v1/projects", typeof projectSearchRouter>
  | Mounted<"/v1/projects", typeof projectVectorizationRouter>
  | Mounted<"/v1/projects", typeof webhooksRouter>
  | Mounted<"/v1/projects", typeof projectMcpRouter>
  | Mounted<"/v1/vectorization", typeof vectorizationRouter>
  | Mounted<"/v1/shared", typeof sharedRouter>
  | Mounted<"/v1/shared", typeof sharedSearchRouter>
  | Mounted<"/v1/shared", typeof sharedMcpRouter>,
  "/"
>;

export default {
  async fetch(request, env, ctx) {
    return (await appFor(request)).fetch(request, env, ctx);
  },
  async queue(batch, env) {
    const { consumeQueue } = await import("./ingestion/consumer");
    await consumeQueue(batch, env);
  },
  async scheduled(controller, env) {
    const { runCron } = await import("./ingestion/scheduler");
    await runCron(controller, env);
  },
} satisfies ExportedHandler<Env>;
