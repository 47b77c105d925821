import { McpServer, StreamableHttpTransport } from "mcp-lite";
import * as z from "zod";
import { APP_VERSION } from "../config";
import { AppError, redact } from "../exceptions";
import { PAGE_SIZE_MAX, PaginationQuery } from "../pagination";
import { SearchRequest, type SearchResponse } from "../search/schemas";
import { MAX_URL_LENGTH, MAX_URLS_PER_REQUEST, URL_STATUSES } from "../urls/constants";
import type { Url } from "../urls/schemas";
import type { ProjectAccess } from "./access";

/**
 * The MCP server of one project for one caller, built per request on mcp-lite (stateless
 * Streamable HTTP: no session outlives the request, so nothing is kept between Worker
 * invocations). The router imports this module on the first MCP request only.
 */

type ToolResult = {
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

/** Runs a tool: its data as structured content plus a text rendering; API errors as tool errors. */
async function run<T extends object>(
  work: () => Promise<T>,
  render: (data: T) => string,
): Promise<ToolResult> {
  try {
    const data = await work();
    return {
      content: [{ type: "text", text: render(data) }],
      structuredContent: data as Record<string, unknown>,
    };
  } catch (error) {
    // Our own errors carry a code and a client-safe detail; anything else stays in the log
    // (the library would put its message into the JSON-RPC error).
    if (error instanceof AppError) {
      return { content: [{ type: "text", text: `${error.code}: ${error.detail}` }], isError: true };
    }
    console.error(
      JSON.stringify({ level: "error", message: "mcp tool failed", error: redact(String(error)) }),
    );
    return {
      content: [{ type: "text", text: "INTERNAL_ERROR: the tool failed; try again later." }],
      isError: true,
    };
  }
}

function describeUrl(url: Url): string {
  const error = url.error ? ` (${url.error.code}: ${url.error.message})` : "";
  return `${url.title ?? "(untitled)"} <${url.url}> url_id=${url.id} status=${url.status}${error}, ${url.chunk_count} chunks`;
}

function describeResults({ results }: SearchResponse): string {
  if (results.length === 0) return "No matching passages.";
  return results
    .map((r, i) => {
      const section = r.heading_path.length ? `\n   Section: ${r.heading_path.join(" › ")}` : "";
      return `${i + 1}. ${r.url.title ?? r.url.url} <${r.url.url}> score=${r.score.toFixed(3)} chunk_id=${r.chunk_id}${section}\n   ${r.text}`;
    })
    .join("\n\n");
}

const UrlIdInput = z.strictObject({
  url_id: z.uuid().describe("A url's id, from search or list_urls"),
});
const ChunkIdInput = z.strictObject({ chunk_id: z.uuid().describe("A chunk's id, from search") });

const ListUrlsInput = z.strictObject({
  status: z.enum(URL_STATUSES).optional().describe("Only urls in this state"),
  limit: z.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
  cursor: PaginationQuery.shape.cursor.describe("next_cursor of the previous page"),
});

const AddUrlsInput = z.strictObject({
  urls: z
    .array(z.string().min(1).max(MAX_URL_LENGTH))
    .min(1)
    .max(MAX_URLS_PER_REQUEST)
    .describe("http(s) pages to fetch and index"),
});

const readOnly = { readOnlyHint: true, openWorldHint: false };

function createServer(access: ProjectAccess, name: string): McpServer {
  const server = new McpServer({
    name,
    version: APP_VERSION,
    // Tools list their arguments as a client sends them: defaults optional.
    schemaAdapter: (schema) => z.toJSONSchema(schema as z.ZodType, { io: "input" }),
  });
  server.tool("search", {
    description:
      "Search the project's indexed web pages for passages that answer a question asked in " +
      "natural language. Returns the best passages with their text, page title and url, section " +
      "headings and score. mode hybrid (default) suits most questions; keyword for exact names " +
      "or codes. Follow up with get_chunk or get_url.",
    inputSchema: SearchRequest,
    annotations: readOnly,
    handler: (input) => run(() => access.search(input), describeResults),
  });
  server.tool("list_urls", {
    description:
      "List the pages (urls) in the project, newest first, with their indexing status " +
      "(queued, fetching, processing, ready, failed). Paginated: pass next_cursor as cursor.",
    inputSchema: ListUrlsInput,
    annotations: readOnly,
    handler: ({ status, ...pagination }) =>
      run(
        () => access.listUrls(status, pagination),
        (page) =>
          [
            ...page.items.map(describeUrl),
            page.next_cursor ? `More: cursor=${page.next_cursor}` : "",
          ]
            .filter(Boolean)
            .join("\n") || "No urls.",
      ),
  });
  server.tool("get_url", {
    description: "One page of the project: its url, title, status, error and chunk count.",
    inputSchema: UrlIdInput,
    annotations: readOnly,
    handler: ({ url_id }) => run(() => access.getUrl(url_id), describeUrl),
  });
  server.tool("get_chunk", {
    description: "The full text of one passage (chunk) with its page and section headings.",
    inputSchema: ChunkIdInput,
    annotations: readOnly,
    handler: ({ chunk_id }) =>
      run(
        () => access.getChunk(chunk_id),
        (chunk) =>
          `${chunk.url.title ?? chunk.url.url} <${chunk.url.url}>` +
          `${chunk.heading_path.length ? `\nSection: ${chunk.heading_path.join(" › ")}` : ""}\n\n${chunk.text}`,
      ),
  });
  const { addUrls } = access;
  if (addUrls) {
    server.tool("add_urls", {
      description:
        "Add web pages to the project. Each is fetched and indexed in the background (status " +
        "queued, then ready or failed; check with get_url). Pages already in the project are " +
        "returned as they are.",
      inputSchema: AddUrlsInput,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
      handler: ({ urls }) =>
        run(
          async () => ({ items: await addUrls(urls) }),
          ({ items }) => items.map(describeUrl).join("\n"),
        ),
    });
  }
  return server;
}

/**
 * Answers one Streamable HTTP POST for `access`. `body` is the JSON the API already parsed (the
 * request's own body is spent).
 *
 * @example
 * return handleMcp(c.req.raw, await c.req.json(), access, "linkbase-project");
 */
export function handleMcp(
  request: Request,
  body: unknown,
  access: ProjectAccess,
  name: string,
): Promise<Response> {
  const handler = new StreamableHttpTransport().bind(createServer(access, name));
  const headers = new Headers(request.headers);
  // Answers are whole JSON bodies, never SSE streams: each tool's work is done by then (the spec
  // lets the server choose; a Worker has nothing to stream).
  headers.set("Accept", "application/json");
  return handler(new Request(request.url, { method: "POST", headers, body: JSON.stringify(body) }));
}
