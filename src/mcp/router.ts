import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type AppEnv, createRouter, empty, json, jsonBody, problems } from "../app";
import * as projectsDependencies from "../projects/dependencies";
import { ProjectIdParam } from "../projects/schemas";
import { TokenParam } from "../shares/schemas";
import { linkAccess, memberAccess, type ProjectAccess } from "./access";
import { McpMethodNotAllowed } from "./exceptions";
import { McpRequest, McpResponse } from "./schemas";

const responses = {
  200: json(McpResponse, "JSON-RPC response(s)"),
  202: empty("Accepted: the body held only notifications or responses"),
};

const projectMcpRoute = createRoute({
  method: "post",
  path: "/{project_id}/mcp",
  tags: ["mcp"],
  security: [{ bearer: [] }],
  operationId: "projectMcp",
  summary: "Model Context Protocol server of a project (viewer+)",
  description:
    "Streamable HTTP, stateless. Tools: search, list_urls, get_url, get_chunk; add_urls for editors calling with write scope.",
  // `read` API keys may connect: they get the read-only tools.
  middleware: projectsDependencies.projectReader,
  request: { params: ProjectIdParam, body: jsonBody(McpRequest) },
  responses: {
    ...responses,
    ...problems(400, 401, [404, "PROJECT_NOT_FOUND"], 413, 415, 422, 503),
  },
});

const sharedMcpRoute = createRoute({
  method: "post",
  path: "/{token}/mcp",
  tags: ["shared"],
  security: [],
  operationId: "sharedMcp",
  summary: "Model Context Protocol server of the project a public link opens",
  description:
    "Read-only tools (search, list_urls, get_url, get_chunk). No authentication: the token in the path is the credential; throttled per client IP and per link.",
  request: { params: TokenParam, body: jsonBody(McpRequest) },
  responses: {
    ...responses,
    ...problems(400, [404, "SHARED_LINK_NOT_FOUND"], 413, 415, 422, 503),
  },
});

/** mcp-lite is loaded on the first MCP request only, keeping it off every other path. */
async function answer(c: Context<AppEnv>, access: ProjectAccess, name: string) {
  const { handleMcp } = await import("./server");
  return handleMcp(c.req.raw, await c.req.json(), access, name);
}

const notAllowed = () => {
  throw new McpMethodNotAllowed();
};

export const projectMcpRouter = createRouter().openapi(projectMcpRoute, async (c) => {
  const access = await memberAccess(c, c.req.valid("param").project_id);
  return answer(c, access, "linkbase-project");
});
projectMcpRouter.on(["GET", "DELETE"], "/:project_id/mcp", notAllowed);

export const sharedMcpRouter = createRouter().openapi(sharedMcpRoute, async (c) => {
  const access = await linkAccess(c, c.req.valid("param").token);
  return answer(c, access, "linkbase-shared");
});
sharedMcpRouter.on(["GET", "DELETE"], "/:token/mcp", notAllowed);
