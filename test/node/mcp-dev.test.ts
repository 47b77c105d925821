// The official MCP client against `wrangler dev` on a fresh local stack, which is what
// `npm run dev` runs: the Streamable HTTP transport over a real socket, not a call into workerd.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../../bench/lib/api";
import { freshIp, startBenchServer } from "../../bench/lib/bench-server";

type Server = Awaited<ReturnType<typeof startBenchServer>>;
let server: Server;

const PAGE_WORD = "quillfeather";

beforeAll(async () => {
  server = await startBenchServer({
    name: "mcp",
    page: (path) =>
      `<html><head><title>Field notes ${path}</title></head><body><main><h1>Field notes</h1>` +
      `<p>The ${PAGE_WORD} heron nests in reed beds along slow rivers, and returns every spring ` +
      `to the same colony, where pairs rebuild last year's nest before laying.</p></main></body></html>`,
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

async function connect(path: string, token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}${path}`), {
    requestInit: { headers: { Authorization: `Bearer ${token}`, "CF-Connecting-IP": freshIp() } },
  });
  const client = new Client({ name: "linkbase-node-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

type ToolResult = { isError?: boolean; structuredContent?: Record<string, unknown> };

describe("MCP on npm run dev's server", () => {
  it("the SDK client lists the tools, adds a url and finds its passage", async () => {
    const api = apiClient(server.url, freshIp);
    const { access_token: token } = await api<{ access_token: string }>(
      "POST",
      "/v1/auth/register",
      undefined,
      { email: `mcp-${crypto.randomUUID()}@example.com`, password: "correct horse battery" },
    );
    const project = await api<{ id: string }>("POST", "/v1/projects", token, { name: "MCP" });
    const client = await connect(`/v1/projects/${project.id}/mcp`, token);

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      "add_urls",
      "get_chunk",
      "get_url",
      "list_urls",
      "search",
    ]);

    const added = (await client.callTool({
      name: "add_urls",
      arguments: { urls: [`http://${server.siteHost}/herons`] },
    })) as ToolResult;
    expect(added.isError).toBeFalsy();
    const urlId = (added.structuredContent as { items: { id: string }[] }).items[0]?.id;

    // The pipeline runs on wrangler dev's queue; poll until the page is searchable.
    let results: { text: string; url: { id: string } }[] = [];
    const deadline = Date.now() + 60_000;
    while (results.length === 0 && Date.now() < deadline) {
      const found = (await client.callTool({
        name: "search",
        arguments: { query: `where does the ${PAGE_WORD} heron nest`, mode: "keyword" },
      })) as ToolResult;
      results = (found.structuredContent as { results: typeof results }).results;
      if (results.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(results[0]?.url.id).toBe(urlId);
    expect(results[0]?.text).toContain("reed beds");
    await client.close();
  }, 120_000);
});
