import { exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import { addUrls, site, waitForUrl } from "../ingestion/helpers";
import { query, seedProject } from "../projects/fixtures";
import { call, expectProblem, expectStatus, freshIp } from "../support/api";
import { createUser } from "../support/factories";

/** The official MCP client over Streamable HTTP, talking to the Worker in workerd. */
async function connect(path: string, token?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`http://linkbase.test${path}`), {
    fetch: (url, init) => exports.default.fetch(new Request(url, init)),
    requestInit: {
      headers: {
        "CF-Connecting-IP": freshIp(),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
    },
  });
  const client = new Client({ name: "linkbase-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

type ToolResult = Awaited<ReturnType<Client["callTool"]>> & {
  structuredContent?: Record<string, unknown>;
  content: { type: string; text: string }[];
};

async function callTool(client: Client, name: string, args: Record<string, unknown>) {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

const READ_TOOLS = ["get_chunk", "get_url", "list_urls", "search"];

describe("MCP over Streamable HTTP", () => {
  it("an editor lists the tools, adds a url and finds its passage with search", async () => {
    const owner = await createUser();
    const editor = await createUser();
    const { projectId } = await seedProject(owner.id, {
      editor: { userId: editor.id, role: "editor" },
    });
    const client = await connect(`/v1/projects/${projectId}/mcp`, editor.accessToken);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["add_urls", ...READ_TOOLS].sort());
    const search = tools.find((tool) => tool.name === "search");
    expect(search?.description).toMatch(/passages/);
    expect(search?.inputSchema.required).toEqual(["query"]);

    const added = await callTool(client, "add_urls", { urls: [site("/gen/71")] });
    expect(added.isError).toBeFalsy();
    const [url] = (added.structuredContent as { items: { id: string; status: string }[] }).items;
    expect(url?.status).toBe("queued");
    await waitForUrl(owner.accessToken, projectId, url?.id ?? "");

    const found = await callTool(client, "search", { query: "gen71marker", mode: "keyword" });
    const results = (
      found.structuredContent as {
        results: { chunk_id: string; text: string; url: { id: string } }[];
      }
    ).results;
    expect(results[0]?.url.id).toBe(url?.id);
    expect(results[0]?.text).toContain("gen71marker");
    expect(found.content[0]?.text).toContain("gen71marker");

    const chunk = await callTool(client, "get_chunk", { chunk_id: results[0]?.chunk_id });
    expect(chunk.structuredContent).toMatchObject({
      id: results[0]?.chunk_id,
      url: { id: url?.id },
    });
    const got = await callTool(client, "get_url", { url_id: url?.id });
    expect(got.structuredContent).toMatchObject({ id: url?.id, status: "ready" });
    const listed = await callTool(client, "list_urls", { status: "ready" });
    expect(
      (listed.structuredContent as { items: { id: string }[] }).items.map((u) => u.id),
    ).toEqual([url?.id]);
    await client.close();
  });

  it("a viewer gets no add_urls; a url that is not allowed is a tool error and stores nothing", async () => {
    const owner = await createUser();
    const viewer = await createUser();
    const { projectId } = await seedProject(owner.id, {
      viewer: { userId: viewer.id, role: "viewer" },
    });
    const asViewer = await connect(`/v1/projects/${projectId}/mcp`, viewer.accessToken);
    expect((await asViewer.listTools()).tools.map((tool) => tool.name).sort()).toEqual(READ_TOOLS);
    await expect(
      asViewer.callTool({ name: "add_urls", arguments: { urls: [site("/gen/72")] } }),
    ).rejects.toThrow(/-32601/);

    const asOwner = await connect(`/v1/projects/${projectId}/mcp`, owner.accessToken);
    const privateUrl = await callTool(asOwner, "add_urls", { urls: ["http://169.254.169.254/"] });
    expect(privateUrl.isError).toBe(true);
    expect(privateUrl.content[0]?.text).toMatch(/^URL_NOT_ALLOWED/);
    const missing = await callTool(asOwner, "get_url", { url_id: crypto.randomUUID() });
    expect(missing.content[0]?.text).toMatch(/^URL_NOT_FOUND/);
    expect(await query(sql`select 1 from urls where project_id = ${projectId}`)).toEqual([]);
  });

  it("a public link's MCP offers the read-only tools and searches the linked project", async () => {
    const owner = await createUser();
    const { projectId, linkToken } = await seedProject(owner.id);
    const [url] = await addUrls(owner.accessToken, projectId, [site("/gen/73")]);
    await waitForUrl(owner.accessToken, projectId, url?.id ?? "");

    const client = await connect(`/v1/shared/${linkToken}/mcp`);
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(READ_TOOLS);
    const found = await callTool(client, "search", { query: "gen73marker" });
    const results = (found.structuredContent as { results: { url: { id: string } }[] }).results;
    expect(results[0]?.url.id).toBe(url?.id);
    const listed = await callTool(client, "list_urls", {});
    expect((listed.structuredContent as { items: { id: string }[] }).items).toHaveLength(1);
    await expect(
      client.callTool({ name: "add_urls", arguments: { urls: [site("/gen/74")] } }),
    ).rejects.toThrow(/-32601/);
    expect(await query(sql`select 1 from urls where project_id = ${projectId}`)).toHaveLength(1);
  });

  it("a write key connects with the owner's tools; a read key gets no add_urls", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const keyOf = async (scope: "read" | "write") =>
      (
        await expectStatus<{ key: string }>(
          await call("POST", "/v1/auth/api-keys", {
            token: owner.accessToken,
            body: { name: `mcp ${scope}`, scope },
          }),
          201,
        )
      ).key;
    const writer = await connect(`/v1/projects/${projectId}/mcp`, await keyOf("write"));
    expect((await writer.listTools()).tools.map((tool) => tool.name)).toContain("add_urls");
    const listed = await callTool(writer, "list_urls", {});
    expect(listed.structuredContent).toEqual({ items: [], next_cursor: null });

    const reader = await connect(`/v1/projects/${projectId}/mcp`, await keyOf("read"));
    expect((await reader.listTools()).tools.map((tool) => tool.name).sort()).toEqual(READ_TOOLS);
    await expect(
      reader.callTool({ name: "add_urls", arguments: { urls: [site("/gen/75")] } }),
    ).rejects.toThrow(/-32601/);
    const found = await callTool(reader, "search", { query: "anything", mode: "keyword" });
    expect(found.structuredContent).toMatchObject({ results: [] });
    expect(await query(sql`select 1 from urls where project_id = ${projectId}`)).toEqual([]);
  });

  it("POST …/mcp without credentials is 401; a stranger's is 404; an unknown link is 404", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const { projectId } = await seedProject(owner.id);
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      },
    };
    const headers = { Accept: "application/json, text/event-stream" };
    await expectProblem(
      await call("POST", `/v1/projects/${projectId}/mcp`, { body: initialize, headers }),
      401,
      "NOT_AUTHENTICATED",
    );
    await expectProblem(
      await call("POST", `/v1/projects/${projectId}/mcp`, {
        body: initialize,
        headers,
        token: stranger.accessToken,
      }),
      404,
      "PROJECT_NOT_FOUND",
    );
    await expectProblem(
      await call("POST", "/v1/shared/lbp_nope/mcp", { body: initialize, headers }),
      404,
      "SHARED_LINK_NOT_FOUND",
    );
    await expectProblem(
      await call("GET", `/v1/projects/${projectId}/mcp`, { token: owner.accessToken }),
      405,
      "METHOD_NOT_ALLOWED",
    );
  });
});
